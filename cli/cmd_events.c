/* cmd_events.c - follow the daemon's event stream until interrupted. */
#include "cli.h"
#include "proto.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void print_event(struct json_object *ev)
{
    struct json_object *v;
    double t = 0;
    time_t secs;
    struct tm tm;
    char stamp[32];

    if (json_object_object_get_ex(ev, "time", &v))
        t = json_object_get_double(v);
    secs = (time_t)t;
    localtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s.%03d %-10s", stamp, (int)((t - secs) * 1000),
           jstr(ev, "type"));
    if (json_object_object_get_ex(ev, "domid", NULL))  /* a domain's */
        printf(" %s (id %lld)", jstr(ev, "name"),
               (long long)jint(ev, "domid"));
    json_object_object_foreach(ev, key, val) {
        if (strcmp(key, "type") && strcmp(key, "name") &&
            strcmp(key, "domid") && strcmp(key, "time"))
            printf(" %s=%s", key, json_object_get_string(val));
    }
    putchar('\n');
    fflush(stdout);
}

int cmd_events(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *req, *m, *v;
    bool json = false;
    int status, fd;

    if (cli_getopt(argc, argv, "events", "", longopts, cli_opt_flag, &json,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "events", 0, 0)))
        return status;
    if ((fd = cli_connect()) < 0)
        return 1;
    req = proto_request(1, "events.subscribe", NULL);
    status = cli_send(fd, req);
    json_object_put(req);
    if (status < 0) {
        close(fd);
        return 1;
    }
    while ((m = cli_read_message(fd))) {
        if (json_object_object_get_ex(m, "event", &v)) {
            if (json) {
                puts(json_object_to_json_string_ext(
                    v, JSON_C_TO_STRING_PLAIN));
                fflush(stdout);
            } else {
                print_event(v);
            }
        } else if (json_object_object_get_ex(m, "ok", &v) &&
                   !json_object_get_boolean(v)) {
            struct json_object *err;
            json_object_object_get_ex(m, "error", &err);
            cli_error("%s", jstr(err, "message"));
            json_object_put(m);
            close(fd);
            return 1;
        }
        json_object_put(m);
    }
    close(fd);
    cli_error("xenithd closed the event stream");
    return 1;
}
