/*
 * ops: endpoints for operators and load balancers.
 *   /healthz  the process is alive (no database access)
 *   /readyz   the database answers and its migrations are the ones this build ships
 *   /metrics  Prometheus text exposition
 */
#ifndef SUQIU_SERVER_OPS_H
#define SUQIU_SERVER_OPS_H

#include "server/http.h"

void ops_healthz(struct reqctx *ctx);
void ops_readyz(struct reqctx *ctx);
void ops_metrics(struct reqctx *ctx);

#endif
