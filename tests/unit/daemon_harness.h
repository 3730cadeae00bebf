/* daemon_harness.h - a real xenithd --sim for tests, and raw protocol I/O. */
#ifndef XENITH_TEST_DAEMON_HARNESS_H
#define XENITH_TEST_DAEMON_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <json.h>

/* Start $XENITH_BIN/xenithd --sim[=scenario] on a private socket; under
 * valgrind when $VALGRIND is 1 (make check VALGRIND=1), whose errors make
 * the daemon exit with status 99. */
void harness_start(const char *scenario);
bool harness_valgrind(void);
/* Stop it; returns its wait status. */
int harness_stop(void);
bool harness_alive(void);
const char *harness_socket(void);
int harness_connect(void);
void harness_send(int fd, const char *data, size_t len);
void harness_sendline(int fd, const char *line);
/* One line without its newline (malloc'd), or NULL on EOF or timeout
 * (ten times longer under valgrind). */
char *harness_readline(int fd, int timeout_ms);
/* Send a line, parse the reply line (caller puts it), NULL on none. */
struct json_object *harness_call(int fd, const char *line);
const char *harness_errcode(struct json_object *reply);
const char *harness_errmsg(struct json_object *reply);

#endif
