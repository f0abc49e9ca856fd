// Prints the SQL of one of the server's prepared statements, as logged with
// SUQIU_LOG_STATEMENTS=1 (with its $n parameters), so that pgbench PREPAREs
// and EXECUTEs exactly the statement the server runs.
//   node replay.mjs <server log> <statement name>
import { readFileSync } from 'node:fs';

const [log, name] = process.argv.slice(2);
const line = readFileSync(log, 'utf8').split('\n').find((l) => {
  if (!l.includes('"sql_statement"')) return false;
  try { return JSON.parse(l).name === name; } catch { return false; }
});
if (!line) {
  console.error(`replay: statement ${name} is not in ${log}`);
  process.exit(1);
}
process.stdout.write(JSON.parse(line).sql + '\n');
