/* The memory floor that Debian's libpq sets: a process that does nothing but what the agent's
 * postgres probe needs from libpq, a new connection and `SELECT 1` every SECONDS (default 15).
 * core_bench.sh reads its RSS beside the agent's. Linked against libpq, it loads GnuTLS (through
 * libldap) before main(): GNUTLS_NO_IMPLICIT_INIT=1 must be in its environment to match the
 * agent, which sets it before it opens libpq.
 *
 *   cc -O2 bench/pq_floor.c $(pkg-config --cflags --libs libpq) -o pq_floor
 *   GNUTLS_NO_IMPLICIT_INIT=1 BENCH_PG_URL=postgresql://... ./pq_floor [SECONDS]
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const unsigned interval = argc > 1 ? (unsigned)atoi(argv[1]) : 15;
  const char* url = getenv("BENCH_PG_URL");
  if (url == NULL) {
    fprintf(stderr, "pq_floor: set BENCH_PG_URL\n");
    return 2;
  }
  for (;;) {
    /* As the agent's probe: no GSSAPI encryption attempt unless the URL asks for one. */
    const char* const keys[] = {"gssencmode", "dbname", NULL};
    const char* const values[] = {"disable", url, NULL};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    PGresult* result = PQexec(conn, "SELECT 1");
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
      fprintf(stderr, "pq_floor: %s", PQerrorMessage(conn));
      return 1;
    }
    printf("ok\n");
    fflush(stdout);
    PQclear(result);
    PQfinish(conn);
    sleep(interval);
  }
}
