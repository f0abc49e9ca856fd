-- Roles and database of suqiu, created once per PostgreSQL cluster by a superuser.
--
--   psql -v ON_ERROR_STOP=1 -d postgres -f sql/bootstrap.sql
--
-- suqiu_owner owns the schema and runs migrations (suqiu-admin migrate).
-- suqiu_app is what suqiu-server and suqiu-worker connect as: it owns nothing,
-- cannot create objects, and gets only the table rights each migration grants.
-- On a shared server give both roles passwords afterwards (ALTER ROLE ... PASSWORD).
-- The embedded cluster runs this file itself: one statement per line, and the
-- psql meta-command \connect switches database.
CREATE ROLE suqiu_owner LOGIN;
CREATE ROLE suqiu_app LOGIN;
CREATE DATABASE suqiu OWNER suqiu_owner ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
REVOKE ALL ON DATABASE suqiu FROM PUBLIC;
GRANT CONNECT ON DATABASE suqiu TO suqiu_owner, suqiu_app;
\connect suqiu
ALTER SCHEMA public OWNER TO suqiu_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO suqiu_app;
