/*
 * cli.h - what the xenith command's files share.
 *
 *   xenith.c        main, global options, help, completion
 *   cmdtab.c        the command table: dispatch, help and completion
 *   client.c        talking to xenithd over the control socket
 *   output.c        sizes, tables, JSON printing, error lines
 *   cmd_domain.c    list, info, domid, create, destroy, pause, unpause, rename
 *   cmd_power.c     shutdown, reboot
 *   cmd_resources.c mem-set, mem-max, vcpu-list, vcpu-set, vcpu-pin
 *   cmd_sched.c     sched-credit, sched-credit2, cpupool-list
 *   cmd_save.c      save, restore
 *   cmd_config.c    config-check (no daemon needed)
 *   cmd_pci.c       pci-assignable-list|add|remove, pci-attach|detach|list
 *   cmd_events.c    events
 *   cmd_policy.c    policy
 *   cmd_services.c  services
 *   cmd_balloon.c   balloon status|set, mem-reserve
 *   cmd_schedtune.c sched status|set (the scheduler tuning service)
 *   cmd_metrics.c   metrics
 *   cmd_cert.c      cert init-ca|issue|list|revoke (no daemon needed)
 *
 * Each command is `int cmd_NAME(int argc, char **argv)` and returns the exit
 * status: 0 success, 1 failure, 2 bad usage.  Errors are printed once, by
 * cli_error or cli_usage_error, as one line on stderr.
 */
#ifndef XENITH_CLI_H
#define XENITH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json.h>

#include "err.h"

#define EXIT_USAGE 2

/* Positional arguments, for completion. */
enum cmd_args {
    ARGS_NONE = 0,
    ARGS_DOM,       /* domain names */
    ARGS_FILE,      /* file names */
    ARGS_DOM_FILE,  /* a domain, then a file */
    ARGS_WORDS,     /* sub-words: e.g. "bash" */
};

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;      /* arguments after the name */
    const char *summary;    /* one line */
    const char *help;       /* the options, one per line; may be NULL */
    const char *options;    /* space-separated, for completion */
    enum cmd_args args;
    const char *words;      /* ARGS_WORDS: the words it takes */
};

extern const struct cmd cmdtab[];
const struct cmd *cmd_find(const char *name);

/* The control socket chosen by --socket, $XENITH_SOCKET or the default. */
extern const char *cli_socket;

/* --- errors (output.c) --- */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "xenith: warning: <message>" on stderr. */
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A reply's "warnings" (an array of strings, if any), one cli_warning each. */
void cli_print_warnings(struct json_object *res);
struct xlcfg_warnings;
/* A config file's warnings as config-check and config-convert read it (no
 * daemon): one cli_warning each, then how many were dropped, if any. */
void cli_print_xlcfg_warnings(const struct xlcfg_warnings *warn);
/* "xenith CMD: <message> (see xenith CMD -h)"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print the help of one command to stdout. */
void cli_cmd_help(const struct cmd *c);

/*
 * Parse the options of a command with getopt_long.  Handles -h/--help
 * (prints help, returns 1 with *exit_r = 0) and unknown options (returns 1
 * with *exit_r = EXIT_USAGE after one error line).  Otherwise calls
 * `opt(c, optarg, arg)` for each option and returns 0; `opt` returns 0 or an
 * exit status.  On return optind indexes the first positional argument.
 */
struct option;
typedef int cli_opt_fn(int c, const char *optarg, void *arg);
int cli_getopt(int argc, char **argv, const char *cmd, const char *shortopts,
               const struct option *longopts, cli_opt_fn *opt, void *arg,
               int *exit_r);
/* Option callbacks for the common cases: a single boolean flag (arg is a
 * bool *), and no options at all. */
cli_opt_fn cli_opt_flag;
cli_opt_fn cli_opt_none;
/* Check the count of positional arguments: min..max (max < 0: any). */
int cli_nargs(int argc, char **argv, const char *cmd, int min, int max);

/* --- sizes and numbers (output.c) --- */
/* xl's memory sizes: a number with an optional k/m/g/t suffix, MiB when
 * none.  Returns KiB, or -1 with an error printed (naming `what`). */
int64_t cli_parse_size_kb(const char *cmd, const char *what, const char *s);
/* A whole number in [min, max], or -1 with an error printed. */
int64_t cli_parse_int(const char *cmd, const char *what, const char *s,
                      int64_t min, int64_t max);

/* --- output (output.c) --- */
void cli_print_json(struct json_object *o);
/* Field access on reply objects; missing fields read as 0 / "". */
int64_t jint(struct json_object *o, const char *key);
const char *jstr(struct json_object *o, const char *key);
bool jbool(struct json_object *o, const char *key);
/* A number the reply may leave out or send as null: false then. */
bool jnum(struct json_object *o, const char *key, double *v_r);
/* An array member's length, with *a_r set to it (NULL and 0 when it is
 * missing or not an array). */
size_t jarray(struct json_object *o, const char *key,
              struct json_object **a_r);
/* The longest `key` string of the first n objects of array a, at least
 * min: a table column's width. */
int jwidth(struct json_object *a, size_t n, const char *key, int min);

/* Table cells: each formats into buf and returns it, or returns "-" when
 * the reply has no such number (or !show). */
#define CLI_CELL 32
/* A whole number with a suffix ("" for none). */
const char *cell_int(char buf[CLI_CELL], struct json_object *o,
                     const char *key, const char *suffix, bool show);
/* Seconds as 42s, 3m07s, 2h05m or 3d04h. */
const char *cell_secs(char buf[CLI_CELL], struct json_object *o,
                      const char *key);

/* --- the daemon (client.c) --- */
/*
 * Send one request and wait for its reply.  On success *result_r (may be
 * NULL if not wanted) holds the result, owned by the caller.  On failure
 * the error line has been printed and the return value is the exit status
 * (1).  take_args is consumed (may be NULL).
 */
int cli_call(const char *op, struct json_object *take_args,
             struct json_object **result_r);
/* The same, printing nothing: returns 0 or a negative code with msg set
 * (XN_ECONNECT when no daemon answers). */
int cli_request(const char *op, struct json_object *take_args,
                struct json_object **result_r, struct xn_msg *msg);
/* Open a connection for a stream of messages (events). -1 on error, with
 * the error printed. */
int cli_connect(void);
/* Read one message line from fd into a decoded object; NULL on EOF/error
 * (printed unless EOF). */
struct json_object *cli_read_message(int fd);
int cli_send(int fd, struct json_object *msg);

/* --- commands --- */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_domid(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_mem_set(int argc, char **argv);
int cmd_mem_max(int argc, char **argv);
int cmd_vcpu_list(int argc, char **argv);
int cmd_vcpu_set(int argc, char **argv);
int cmd_vcpu_pin(int argc, char **argv);
int cmd_sched_credit(int argc, char **argv);
int cmd_sched_credit2(int argc, char **argv);
int cmd_cpupool_list(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_config_check(int argc, char **argv);
int cmd_config_convert(int argc, char **argv);
int cmd_pci_assignable_list(int argc, char **argv);
int cmd_pci_assignable_add(int argc, char **argv);
int cmd_pci_assignable_remove(int argc, char **argv);
int cmd_pci_attach(int argc, char **argv);
int cmd_pci_detach(int argc, char **argv);
int cmd_pci_list(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_services(int argc, char **argv);
int cmd_balloon(int argc, char **argv);
int cmd_mem_reserve(int argc, char **argv);
int cmd_sched(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_migrations(int argc, char **argv);
int cmd_host_evacuate(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_completion(int argc, char **argv);

/* A request whose only argument is the domain; for the simple verbs. */
int cli_dom_call(const char *op, const char *dom);
/* {"dom": dom} as a new object. */
struct json_object *cli_dom_args(const char *dom);
/* policy.set on one domain: take_set {"KEY": "VALUE", ...} and
 * take_unset ["KEY", ...] (both consumed; NULL: none).  Prints the reply
 * with json; returns the exit status (cmd_policy.c). */
int cli_policy_set(const char *dom, struct json_object *take_set,
                   struct json_object *take_unset, bool json);

#endif
