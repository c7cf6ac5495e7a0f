package io.capstan.agent.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.agent.cgroup.Cgroups;
import io.capstan.agent.process.ContainerLaunch;
import io.capstan.model.manifest.ContainerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's OCI runtime config.json (runtime-spec 1.0): own pid, mount, uts and ipc namespaces on the host
 * network, a read-only rootfs, no new privileges, the minimal capability set runc's own spec uses, masked and
 * read-only /proc paths, a default seccomp profile (allow, but refuse the syscalls a workload has no business
 * making), the package's code folder read-only and its work and log folders writable.
 */
final class OciBundle {

    private static final List<String> CAPABILITIES = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
    private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");
    private static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");
    private static final List<String> REFUSED_SYSCALLS = List.of("acct", "add_key", "bpf", "clock_adjtime",
            "clock_settime", "delete_module", "finit_module", "init_module", "iopl", "ioperm", "kexec_file_load",
            "kexec_load", "keyctl", "mount", "move_mount", "open_by_handle_at", "perf_event_open", "pivot_root",
            "ptrace", "quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon", "umount2",
            "unshare", "userfaultfd");
    private static final long CFS_PERIOD_US = 100_000;
    private static final long PIDS_LIMIT = Cgroups.PIDS_LIMIT;

    private OciBundle() {
    }

    /** Writes {@code <bundle>/config.json}; returns the bundle folder. */
    static Path write(ContainerLaunch c, ObjectMapper json, Path netns) throws IOException {
        Files.createDirectories(c.bundle());
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", c.uid(), "gid", c.gid()));
        process.put("args", c.args());
        List<String> env = new ArrayList<>();
        c.env().forEach((k, v) -> env.add(k + "=" + v));
        process.put("env", env);
        process.put("cwd", c.cwd());
        process.put("capabilities", Map.of("bounding", CAPABILITIES, "effective", CAPABILITIES,
                "permitted", CAPABILITIES, "ambient", CAPABILITIES));
        process.put("noNewPrivileges", true);

        List<Map<String, Object>> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        mounts.add(mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")));
        mounts.add(mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        if (c.userNamespace()) {
            // sysfs cannot be mounted from a user namespace that does not own the network namespace: bind it read-only.
            mounts.add(mount("/sys", "bind", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
        } else {
            mounts.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        }
        mounts.add(mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "size=65536k")));
        for (ContainerLaunch.BindMount b : c.mounts()) {
            mounts.add(mount(b.destination(), "bind", b.source().toString(),
                    b.readOnly() ? List.of("rbind", "ro", "nosuid", "nodev") : List.of("rbind", "rw", "nosuid", "nodev")));
        }

        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        // The same pids limit as the agent's own cgroups: runc re-creates the cgroup for every run.
        resources.put("pids", Map.of("limit", PIDS_LIMIT));
        if (c.limits().memoryMiB() > 0) {
            resources.put("memory", Map.of("limit", c.limits().memoryMiB() * 1024 * 1024));
        }
        if (c.limits().cpu() > 0) {
            resources.put("cpu", Map.of("quota", Math.max(1000, Math.round(c.limits().cpu() * CFS_PERIOD_US)),
                    "period", CFS_PERIOD_US));
        }

        Map<String, Object> linux = new LinkedHashMap<>();
        // Without a network namespace the container shares the host network and listens on its allocated ports;
        // a private one was prepared (address, port mappings) before the container joins it.
        List<Map<String, Object>> namespaces = new ArrayList<>(List.of(Map.of("type", "pid"), Map.of("type", "ipc"),
                Map.of("type", "uts"), Map.of("type", "mount")));
        if (netns != null) {
            namespaces.add(Map.of("type", "network", "path", netns.toString()));
        }
        if (c.userNamespace()) {
            namespaces.add(Map.of("type", "user"));
            List<Map<String, Object>> ids = List.of(Map.of("containerID", 0, "hostID", ContainerSpec.MAPPED_UID_BASE,
                    "size", ContainerSpec.MAPPED_ID_COUNT));
            linux.put("uidMappings", ids);
            linux.put("gidMappings", ids);
        }
        linux.put("namespaces", namespaces);
        if (c.cgroupsPath() != null) {
            linux.put("cgroupsPath", c.cgroupsPath());
        }
        linux.put("resources", resources);
        linux.put("maskedPaths", MASKED);
        linux.put("readonlyPaths", READ_ONLY);
        linux.put("seccomp", Map.of("defaultAction", "SCMP_ACT_ALLOW",
                "architectures", List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                "syscalls", List.of(Map.of("names", REFUSED_SYSCALLS, "action", "SCMP_ACT_ERRNO", "errnoRet", 1))));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        config.put("process", process);
        config.put("root", Map.of("path", c.rootfs().toString(), "readonly", true));
        config.put("hostname", c.hostname());
        config.put("mounts", mounts);
        config.put("linux", linux);
        Files.write(c.bundle().resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        return c.bundle();
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        m.put("options", options);
        return m;
    }
}
