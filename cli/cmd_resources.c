/* cmd_resources.c - mem-set, mem-max, vcpu-list, vcpu-set, vcpu-pin. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int mem(int argc, char **argv, const char *cmd, const char *op)
{
    struct json_object *args;
    int64_t kb;
    int status;

    if (cli_getopt(argc, argv, cmd, "", NULL, cli_opt_none, NULL, &status))
        return status;
    if ((status = cli_nargs(argc, argv, cmd, 2, 2)))
        return status;
    if ((kb = cli_parse_size_kb(cmd, "SIZE", argv[optind + 1])) < 0)
        return EXIT_USAGE;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "kb", json_object_new_int64(kb));
    return cli_call(op, args, NULL);
}

int cmd_mem_set(int argc, char **argv)
{
    return mem(argc, argv, "mem-set", "memory.target");
}

int cmd_mem_max(int argc, char **argv)
{
    return mem(argc, argv, "mem-max", "memory.max");
}

/* Affinities come as CPU ranges; show the whole host as "all", like xl. */
static const char *affinity(const char *cpus, const char *all)
{
    return strcmp(cpus, all) == 0 ? "all" : cpus;
}

int cmd_vcpu_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct json_object *args = NULL, *res, *vcpus;
    bool json = false;
    int status;

    if (cli_getopt(argc, argv, "vcpu-list", "", longopts, cli_opt_flag,
                   &json, &status))
        return status;
    if ((status = cli_nargs(argc, argv, "vcpu-list", 0, 1)))
        return status;
    if (optind < argc)
        args = cli_dom_args(argv[optind]);
    if ((status = cli_call("vcpu.list", args, &res)))
        return status;
    json_object_object_get_ex(res, "vcpus", &vcpus);
    if (json) {
        cli_print_json(vcpus);
        json_object_put(res);
        return 0;
    }
    long long ncpus = jint(res, "host_cpus");
    char all[32];
    if (ncpus > 1)
        snprintf(all, sizeof(all), "0-%lld", ncpus - 1);
    else
        snprintf(all, sizeof(all), "0");
    printf("%-32s %5s %5s %5s %5s %9s  %s\n", "Name", "ID", "VCPU", "CPU",
           "State", "Time(s)", "Affinity (Hard / Soft)");
    for (size_t i = 0; i < json_object_array_length(vcpus); i++) {
        struct json_object *v = json_object_array_get_idx(vcpus, i);
        bool online = jbool(v, "online");
        char cpu[16];

        if (online && jint(v, "cpu") >= 0)
            snprintf(cpu, sizeof(cpu), "%lld", (long long)jint(v, "cpu"));
        else
            snprintf(cpu, sizeof(cpu), "-");
        printf("%-32s %5lld %5lld %5s   %c%c%c %9.1f  %s / %s\n",
               jstr(v, "name"), (long long)jint(v, "domid"),
               (long long)jint(v, "vcpu"), cpu,
               online && jbool(v, "running") ? 'r' : '-',
               online && jbool(v, "blocked") ? 'b' : '-',
               online ? '-' : 'p', (double)jint(v, "time_ns") / 1e9,
               affinity(jstr(v, "hard_affinity"), all),
               affinity(jstr(v, "soft_affinity"), all));
    }
    json_object_put(res);
    return 0;
}

int cmd_vcpu_set(int argc, char **argv)
{
    struct json_object *args;
    int64_t count;
    int status;

    if (cli_getopt(argc, argv, "vcpu-set", "", NULL, cli_opt_none, NULL,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "vcpu-set", 2, 2)))
        return status;
    count = cli_parse_int("vcpu-set", "vCPU count", argv[optind + 1], 1,
                          4096);
    if (count < 0)
        return EXIT_USAGE;
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "count", json_object_new_int64(count));
    return cli_call("vcpu.set", args, NULL);
}

int cmd_vcpu_pin(int argc, char **argv)
{
    struct json_object *args;
    int64_t vcpu = -1;
    int status;

    if (cli_getopt(argc, argv, "vcpu-pin", "", NULL, cli_opt_none, NULL,
                   &status))
        return status;
    if ((status = cli_nargs(argc, argv, "vcpu-pin", 3, 4)))
        return status;
    if (strcmp(argv[optind + 1], "all") != 0) {
        vcpu = cli_parse_int("vcpu-pin", "vCPU", argv[optind + 1], 0, 4095);
        if (vcpu < 0)
            return EXIT_USAGE;
    }
    args = cli_dom_args(argv[optind]);
    json_object_object_add(args, "vcpu", json_object_new_int64(vcpu));
    json_object_object_add(args, "hard",
                           json_object_new_string(argv[optind + 2]));
    if (optind + 3 < argc)
        json_object_object_add(args, "soft",
                               json_object_new_string(argv[optind + 3]));
    return cli_call("vcpu.pin", args, NULL);
}
