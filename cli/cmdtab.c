/* cmdtab.c - every xenith command, once: dispatch, help and completion all
 * read this table. */
#include "cli.h"
#include "migration/cert/cert.h"

#include <string.h>

const struct cmd cmdtab[] = {
    {"list", cmd_list, "[-l] [--json] [DOMAIN...]",
     "List domains, or the DOMAINs named.",
     "  -l, --long   more columns: type, target, maximum, pool, weight, "
     "cap, UUID,\n"
     "               PCI devices\n"
     "  --json       the domain records as JSON\n",
     "-l --long --json", ARGS_DOM, NULL},
    {"info", cmd_info, "[--json] [DOMAIN]",
     "Show the host and the daemon, or one domain (its PCI devices "
     "included).",
     "  --json       as JSON\n", "--json", ARGS_DOM, NULL},
    {"domid", cmd_domid, "DOMAIN", "Print a domain's id.", NULL, "",
     ARGS_DOM, NULL},
    {"create", cmd_create, "[-p] CONFIG",
     "Create a domain from an xl.cfg file.",
     "  -p, --paused  leave it paused\n", "-p --paused", ARGS_FILE, NULL},
    {"destroy", cmd_destroy, "DOMAIN",
     "Destroy a domain at once (no shutdown).", NULL, "", ARGS_DOM, NULL},
    {"shutdown", cmd_shutdown, "[-w] [-t SECS] [--force] DOMAIN",
     "Ask a domain to shut down.",
     "  -w, --wait         wait until the domain is gone\n"
     "  -t, --timeout SECS how long to wait (default 300; implies -w)\n"
     "  --force            destroy the domain if it is still there after "
     "the wait\n",
     "-w --wait -t --timeout --force", ARGS_DOM, NULL},
    {"reboot", cmd_reboot, "[-w] [-t SECS] [--force] DOMAIN",
     "Ask a domain to reboot.",
     "  -w, --wait         wait until the old instance is gone\n"
     "  -t, --timeout SECS how long to wait (default 300; implies -w)\n"
     "  --force            destroy the domain if it is still there after "
     "the wait\n",
     "-w --wait -t --timeout --force", ARGS_DOM, NULL},
    {"pause", cmd_pause, "DOMAIN", "Pause a domain.", NULL, "", ARGS_DOM, NULL},
    {"unpause", cmd_unpause, "DOMAIN", "Unpause a domain.", NULL, "",
     ARGS_DOM, NULL},
    {"rename", cmd_rename, "DOMAIN NEWNAME", "Rename a domain.", NULL, "",
     ARGS_DOM, NULL},
    {"mem-set", cmd_mem_set, "DOMAIN SIZE",
     "Set a domain's memory target (SIZE: e.g. 512, 512m, 2g; MiB by "
     "default).", NULL, "", ARGS_DOM, NULL},
    {"mem-max", cmd_mem_max, "DOMAIN SIZE",
     "Set the most memory a domain may have.", NULL, "", ARGS_DOM, NULL},
    {"vcpu-list", cmd_vcpu_list, "[--json] [DOMAIN]",
     "List vCPUs, their placement and affinity.",
     "  --json       as JSON\n", "--json", ARGS_DOM, NULL},
    {"vcpu-set", cmd_vcpu_set, "DOMAIN COUNT",
     "Set how many vCPUs are online.", NULL, "", ARGS_DOM, NULL},
    {"vcpu-pin", cmd_vcpu_pin, "DOMAIN VCPU|all HARD [SOFT]",
     "Set vCPU affinity (CPU lists such as 1, 0-3,^2 or all).", NULL, "",
     ARGS_DOM, NULL},
    {"sched-credit", cmd_sched_credit,
     "[-d DOMAIN [-w WEIGHT] [-c CAP]] [-s [-p POOL] [-t MS] [-r US]]",
     "Show or set credit scheduler parameters.",
     "  -d, --domain DOMAIN      a domain's parameters (all domains when "
     "absent)\n"
     "  -w, --weight WEIGHT      set its weight (1-65535)\n"
     "  -c, --cap CAP            set its cap (% of one CPU, 0 = none)\n"
     "  -s, --schedparam         the cpupool's parameters instead\n"
     "  -p, --cpupool POOL       which cpupool (default Pool-0)\n"
     "  -t, --tslice_ms MS       set the time slice (1-1000)\n"
     "  -r, --ratelimit_us US    set the rate limit (100-500000, 0 = off)\n"
     "  --json                   as JSON\n",
     "-d --domain -w --weight -c --cap -s --schedparam -p --cpupool -t "
     "--tslice_ms -r --ratelimit_us --json", ARGS_NONE, NULL},
    {"sched-credit2", cmd_sched_credit2,
     "[-d DOMAIN [-w WEIGHT] [-c CAP]] [-s [-p POOL] [-r US]]",
     "Show or set credit2 scheduler parameters.",
     "  -d, --domain DOMAIN      a domain's parameters (all domains when "
     "absent)\n"
     "  -w, --weight WEIGHT      set its weight (1-65535)\n"
     "  -c, --cap CAP            set its cap (% of one CPU, 0 = none)\n"
     "  -s, --schedparam         the cpupool's parameters instead\n"
     "  -p, --cpupool POOL       which cpupool (default Pool-0)\n"
     "  -r, --ratelimit_us US    set the rate limit (100-500000, 0 = off)\n"
     "  --json                   as JSON\n",
     "-d --domain -w --weight -c --cap -s --schedparam -p --cpupool -r "
     "--ratelimit_us --json", ARGS_NONE, NULL},
    {"cpupool-list", cmd_cpupool_list, "[--json]", "List cpupools.",
     "  --json       as JSON\n", "--json", ARGS_NONE, NULL},
    {"save", cmd_save, "[-c] DOMAIN FILE",
     "Save a domain to FILE and destroy it.",
     "  -c, --checkpoint  leave the domain running\n",
     "-c --checkpoint", ARGS_DOM_FILE, NULL},
    {"restore", cmd_restore, "[-p] [--name NAME] FILE",
     "Restore a domain from FILE.",
     "  -p, --paused   leave it paused\n"
     "  -n, --name NAME  give it another name\n",
     "-p --paused -n --name", ARGS_FILE, NULL},
    {"pci-assignable-list", cmd_pci_assignable_list, "[--json]",
     "List the PCI devices that may be given to domains (bound to "
     "xen-pciback).",
     "  --json       as JSON, the devices domains have included\n"
     "Prints one address a line; a device a domain has is followed by the "
     "domain.\n", "--json", ARGS_NONE, NULL},
    {"pci-assignable-add", cmd_pci_assignable_add, "BDF",
     "Make a PCI device assignable: bind it to xen-pciback (BDF: "
     "0000:03:00.0 or 03:00.0).", NULL, "", ARGS_NONE, NULL},
    {"pci-assignable-remove", cmd_pci_assignable_remove, "[-r] BDF",
     "Release a PCI device no domain has from xen-pciback.",
     "  -r, --rebind  bind it again to the driver it had before\n",
     "-r --rebind", ARGS_NONE, NULL},
    {"pci-attach", cmd_pci_attach, "DOMAIN SPEC",
     "Hot-plug an assignable PCI device into a domain (SPEC as xl: "
     "BDF[@VSLOT][,OPTION=VALUE...]).", NULL, "", ARGS_DOM, NULL},
    {"pci-detach", cmd_pci_detach, "[-f] DOMAIN BDF",
     "Take a PCI device back from a domain; it stays assignable.",
     "  -f, --force   take it even if the guest does not let it go\n",
     "-f --force", ARGS_DOM, NULL},
    {"pci-list", cmd_pci_list, "[--json] DOMAIN",
     "List a domain's PCI devices (its virtual slot and the host's "
     "address).",
     "  --json       as JSON\n", "--json", ARGS_DOM, NULL},
    {"config-check", cmd_config_check, "[--json] FILE",
     "Check an xl.cfg file (or libvirt domain XML) as create would; --json "
     "prints what `xl -N create FILE` prints.",
     "  --json       the domain configuration as libxl's JSON\n"
     "Needs no daemon and no Xen.\n",
     "--json", ARGS_FILE, NULL},
    {"config-convert", cmd_config_convert, "--to libvirt|xl FILE",
     "Write a domain's configuration (xl.cfg or libvirt XML) as libvirt "
     "domain XML or as xl.cfg.",
     "  --to libvirt  libvirt domain XML, as libvirt's Xen driver writes it\n"
     "  --to xl       xl.cfg: from XML, the settings libvirt writes for it;\n"
     "                from xl.cfg, the file normalised\n"
     "Needs no daemon and no Xen.\n",
     "--to", ARGS_FILE, NULL},
    {"events", cmd_events, "[--json]",
     "Follow domain events until interrupted.",
     "  --json       one JSON object per line\n", "--json", ARGS_NONE, NULL},
    {"metrics", cmd_metrics, "[--json | --prometheus]",
     "Show the daemon's counters and gauges, per host and per domain.",
     "  --json        as JSON: families with their series\n"
     "  --prometheus  the text xenithd --metrics serves to Prometheus\n",
     "--json --prometheus", ARGS_NONE, NULL},
    {"policy", cmd_policy, "[--json] DOMAIN [KEY=VALUE | KEY=]...",
     "Show a domain's policy, or set (KEY=VALUE) and unset (KEY=) settings.",
     "The settings belong to the daemon's services (xenith services lists "
     "them):\n"
     "  sched.class=critical|high|normal|low  scheduler class\n"
     "  balloon.managed=yes|no                is its memory balanced\n"
     "  balloon.min=SIZE                      the balloon leaves it at least "
     "this\n"
     "  balloon.max=SIZE                      the balloon gives it at most "
     "this\n"
     "  balloon.weight=1..10000               who gets memory first (100)\n"
     "  balloon.buffer=5..2000                % kept above its use (20)\n"
     "  balloon.need=SIZE                     its need, as mem-set sets "
     "it\n"
     "  migration.mode=allowed|never          may it be moved off this "
     "host\n"
     "  --json                                as JSON\n"
     "The older names priority, balloon-min, balloon-max and migrate are "
     "read too.\n"
     "Kept by domain UUID in the daemon's state directory and in xenstore "
     "under\n/vm/UUID/xenith/policy: it survives daemon restarts, reboots "
     "and saves.\n",
     "--json", ARGS_DOM, NULL},
    {"services", cmd_services, "[--json] [SERVICE]",
     "List the daemon's services: what each does now, its operations and "
     "settings; or one SERVICE's status.",
     "  --json       as JSON\n", "--json", ARGS_NONE, NULL},
    {"balloon", cmd_balloon,
     "status [--json] | set DOMAIN [--min SIZE] [--max SIZE] [--weight N] "
     "[--buffer PCT] [--need SIZE|auto] [--managed|--unmanaged] [--json]",
     "Show what the memory balloon does, or set a domain's balloon "
     "policy.",
     "  status             the host's memory, each domain's bounds, need "
     "and pressure,\n"
     "                     and the reservations (sizes in MiB)\n"
     "  set DOMAIN         change the domain's balloon.* policy:\n"
     "    --min SIZE       never take it below SIZE (512, 512m, 2g; MiB "
     "when bare)\n"
     "    --max SIZE       never give it more than SIZE\n"
     "    --weight N       its share when memory is short (1-10000)\n"
     "    --buffer PCT     room kept above what it uses, in % (5-2000)\n"
     "    --need SIZE|auto what it needs, instead of what it reports; auto "
     "clears it\n"
     "    --managed        let the balloon move its memory\n"
     "    --unmanaged      leave its memory alone\n"
     "  --json             status: the daemon's report as JSON; set: the "
     "reply\n",
     "--json --min --max --weight --buffer --need --managed --unmanaged",
     ARGS_WORDS, "status set"},
    {"mem-reserve", cmd_mem_reserve,
     "[--json] SIZE [--for SECONDS] | --release ID [--json]",
     "Hold SIZE of host memory free (ballooning domains down), or release "
     "a reservation.",
     "  --for SECONDS   how long to hold it (default: the daemon's, 60)\n"
     "  --release ID    give reservation ID back\n"
     "  --json          the reply as JSON\n"
     "Waits until the memory is free.  SIZE: e.g. 512, 512m, 2g; MiB by "
     "default.\n",
     "--json --for --release", ARGS_NONE, NULL},
    {"migrate", cmd_migrate,
     "[--compress[=LEVEL]] [--bandwidth RATE] [--paused] [--json] DOMAIN "
     "HOST[:PORT]",
     "Move a running domain to another xenith host, live, over TLS.",
     "  --compress[=LEVEL]  zstd on the wire (level 1-19, default 3)\n"
     "  --bandwidth RATE    at most RATE per second (e.g. 100m; MiB by "
     "default)\n"
     "  --paused            leave it paused on the other host\n"
     "  --json              the migration's events, then its record, as "
     "JSON\n"
     "HOST is a name of migration.peers, a DNS name or an address; PORT "
     "8002 by\ndefault.  A progress bar on a terminal, a line a second "
     "otherwise.\n",
     "--compress --bandwidth --paused --json", ARGS_DOM, NULL},
    {"host-evacuate", cmd_host_evacuate,
     "--to HOST[,HOST...] [--parallel N] [--json]",
     "Move every domain that may move (policy migrate) to other hosts.",
     "  --to HOST[,HOST...]  where to: each domain goes to the next host in "
     "turn,\n"
     "                      or to the following ones when a host refuses "
     "it\n"
     "  --parallel N        migrations at once (1-16, default 1)\n"
     "  --json              the outcome as JSON\n"
     "Prints each domain as it moves, then what could not move and why; "
     "exit\nstatus 1 when a domain could not move.\n",
     "--to --parallel --json", ARGS_NONE, NULL},
    {"migrations", cmd_migrations,
     "[--json] | --recover ID --resume|--destroy",
     "List running and recent migrations, or recover an unconfirmed one.",
     "  --json              the records as JSON\n"
     "  --recover ID        an unconfirmed migration (go sent, no "
     "confirmation):\n"
     "    --resume          run the paused source copy here again\n"
     "    --destroy         destroy it (the domain runs on the other "
     "host)\n",
     "--json --recover --resume --destroy", ARGS_NONE, NULL},
    {"sched", cmd_sched,
     "status [--json] [DOMAIN...] | set DOMAIN --class CLASS [--json]",
     "Show what the scheduler tuning does, or set a domain's class.",
     "  status [DOMAIN...]  the cpupools: scheduler, CPUs, use and "
     "pressure (in % of\n"
     "                      the pool's CPUs), state, throttling level and "
     "classes;\n"
     "                      the domains (or the DOMAINs named): class, use "
     "and demand\n"
     "                      (in CPUs), weight and cap now, the class's and "
     "the\n"
     "                      administrator's, and whether the tuner "
     "throttles or\n"
     "                      protects it\n"
     "  set DOMAIN          change the domain's sched.class policy:\n"
     "    --class CLASS     critical, high, normal, low or dom0\n"
     "  --json              status: the daemon's report as JSON; set: the "
     "reply\n",
     "--json --class", ARGS_WORDS, "status set"},
    {"cert", cmd_cert,
     "init-ca DIR [--cn NAME] [--days N] | issue HOSTNAME --ca DIR --out DIR "
     "[--days N] [--force] | list [--json] [DIR] | revoke --ca DIR "
     "SERIAL|FILE.crt",
     "Make the pool's CA, issue, list and revoke the hosts' certificates "
     "(no daemon needed).",
     "  init-ca DIR        make a CA in DIR (created, mode 0700): ca.key, "
     "ca.crt,\n"
     "                     crl.pem, serial, issued/\n"
     "    --cn NAME        its name (default \"xenith pool CA\")\n"
     "    --days N         how long it is valid (default 3650)\n"
     "  issue HOSTNAME     a key and certificate for HOSTNAME (a DNS name or "
     "an IP\n"
     "                     address) in the --out directory: host.key, "
     "host.crt,\n"
     "                     ca.crt and crl.pem, to copy to the host's\n"
     "                     " CERT_DEFAULT_DIR "\n"
     "    --ca DIR         the CA's directory\n"
     "    --out DIR        where to write (created, mode 0700)\n"
     "    --days N         how long it is valid (default 825)\n"
     "    --force          replace the files of an earlier issue\n"
     "  list [DIR]         the certificates of a CA or a host directory: "
     "file,\n"
     "                     subject, names, serial, expiry and state (valid, "
     "expired,\n"
     "                     revoked or CA); DIR defaults to\n"
     "                     " CERT_DEFAULT_DIR "\n"
     "    --json           as JSON\n"
     "  revoke SERIAL|FILE.crt  add a certificate to the CA's crl.pem; copy "
     "it to\n"
     "                     every host\n"
     "    --ca DIR         the CA's directory\n",
     "--cn --days --ca --out --force --json", ARGS_WORDS,
     "init-ca issue list revoke"},
    {"store", cmd_store,
     "ls [--json] [PATH] | read [--json] PATH... | write PATH VALUE... | "
     "rm PATH... | watch [-n COUNT] [--json] PATH... | chmod PATH PERM...",
     "Read, change and watch xenstore (the host's, or the simulated "
     "host's).",
     "  ls [PATH]          the tree below PATH (default /)\n"
     "  read PATH...       values, one per line\n"
     "  write PATH VALUE...  set values, all or none\n"
     "  rm PATH...         remove nodes and what is below them\n"
     "  watch PATH...      print the paths that change until interrupted "
     "(or\n"
     "                     -n COUNT events); @introduceDomain and "
     "@releaseDomain\n"
     "                     report domains coming and going\n"
     "  chmod PATH PERM... set permissions: the owner first, e.g. n0 r5\n"
     "  --json             ls, read and watch print JSON\n"
     "The store is $XENSTORED_PATH's, else the one xenithd names (the "
     "simulated\nhost serves its own), else the local xenstored.\n",
     "--json -n --count", ARGS_WORDS, "ls read write rm watch chmod"},
    {"help", cmd_help, "[COMMAND]", "Show the commands, or one command's "
     "help.", NULL, "", ARGS_WORDS, NULL},
    {"completion", cmd_completion, "bash",
     "Print a bash completion script.", NULL, "", ARGS_WORDS, "bash"},
    {NULL, NULL, NULL, NULL, NULL, NULL, ARGS_NONE, NULL},
};

const struct cmd *cmd_find(const char *name)
{
    for (const struct cmd *c = cmdtab; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}
