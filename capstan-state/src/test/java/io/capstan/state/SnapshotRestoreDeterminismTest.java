package io.capstan.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.model.ActivationMode;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceKind;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.CodePackageStatus;
import io.capstan.model.cluster.DeployedServicePackage;
import io.capstan.model.cluster.NodeDescription;
import io.capstan.model.cluster.NodeDisableIntent;
import io.capstan.model.cluster.NodeStatus;
import io.capstan.model.cluster.ReplicaRecord;
import io.capstan.model.cluster.ReplicaRole;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.model.health.HealthReport;
import io.capstan.model.health.HealthState;
import io.capstan.model.upgrade.UpgradePolicy;
import io.capstan.model.upgrade.UpgradeWait;
import io.capstan.model.manifest.ApplicationTypeManifest;
import io.capstan.model.manifest.ServicePackageManifest;
import io.capstan.model.manifest.ServiceTypeManifest;
import io.capstan.model.wire.NodeReport;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A seeded random stream of commands (valid and invalid, of every group) applied to two states; one of them is
 * snapshotted midway, encoded, decoded and restored, and both apply the rest. Their encoded snapshots must be
 * equal byte for byte, and so must the answers to every command, so a restore that loses or invents anything
 * fails. Replay one seed with {@code -Dstate.seed=N}.
 */
class SnapshotRestoreDeterminismTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private final StateCodec codec = new StateCodec();

    @TestFactory
    Stream<DynamicTest> aRestoredStateIsTheStateThatWasSnapshotted() {
        String only = System.getProperty("state.seed");
        LongStream seeds = only != null ? LongStream.of(Long.parseLong(only)) : LongStream.range(1, 121);
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed + " (replay with -Dstate.seed=" + seed + ")",
                () -> check(seed)));
    }

    private void check(long seed) throws Exception {
        List<ClusterCommand> commands = new CommandStream(seed).commands(300 + (int) (seed % 5) * 60);
        int cut = commands.size() / 2 + (int) (seed % 17);
        ClusterState straight = new ClusterState();
        ClusterState restored = new ClusterState();
        List<CommandResult> straightResults = new ArrayList<>();
        List<CommandResult> restoredResults = new ArrayList<>();
        long index = 0;
        int mostReplicas = 0;
        for (int i = 0; i < commands.size(); i++) {
            index++;
            if (i == cut) {
                byte[] bytes = codec.snapshotBytes(restored.persisted());
                restored = ClusterState.restore(codec.readSnapshot(new ByteArrayInputStream(bytes)));
                assertThat(codec.snapshotBytes(restored.persisted())).as("seed %d: restored at the cut", seed).isEqualTo(bytes);
            }
            // Every command goes through the log encoding too, as it does on a server.
            ClusterCommand logged = codec.decode(codec.encode(commands.get(i)));
            straightResults.add(straight.apply(index, commands.get(i)));
            restoredResults.add(restored.apply(index, logged));
            mostReplicas = Math.max(mostReplicas, straight.snapshot().replicas().size());
        }
        assertThat(restoredResults).as("seed %d: answers", seed).isEqualTo(straightResults);
        assertThat(codec.snapshotBytes(restored.persisted())).as("seed %d: final state", seed)
                .isEqualTo(codec.snapshotBytes(straight.persisted()));
        // The derived indexes of the restored state are those the straight one maintained command by command.
        assertThat(restored.snapshot().readyReplicaCount()).as("seed %d: ready count", seed)
                .isEqualTo(straight.snapshot().readyReplicaCount());
        for (int n = 0; n < 6; n++) {
            String node = "n" + n;
            assertThat(restored.snapshot().usageOn(node)).as("seed %d: usage of %s", seed, node)
                    .isEqualTo(straight.snapshot().usageOn(node));
            assertThat(restored.snapshot().replicasOn(node)).as("seed %d: replicas on %s", seed, node)
                    .isEqualTo(straight.snapshot().replicasOn(node));
        }
        assertThat(straightResults).as("seed %d: the stream exercises applied and rejected commands", seed)
                .anyMatch(CommandResult::applied).anyMatch(r -> !r.applied());
        assertThat(mostReplicas).as("seed %d: replicas were placed", seed).isPositive();
    }

    /** Commands over a small universe of names, so they collide: creates and deletes, placements, reports. */
    private static final class CommandStream {
        private final SplittableRandom random;
        private final ClusterState model = new ClusterState();
        private long index;
        private Instant now = T0;

        CommandStream(long seed) {
            this.random = new SplittableRandom(seed);
        }

        List<ClusterCommand> commands(int count) {
            List<ClusterCommand> out = new ArrayList<>();
            for (String version : List.of("1", "2")) {
                out.add(new ClusterCommand.RegisterApplicationType(type(version), now));
                model.apply(++index, out.get(out.size() - 1));
            }
            while (out.size() < count) {
                now = now.plusMillis(1 + random.nextInt(2_000));
                ClusterCommand c = next(model.snapshot());
                out.add(c);
                model.apply(++index, c);
            }
            return out;
        }

        private ClusterCommand next(ClusterSnapshot s) {
            String node = "n" + random.nextInt(6);
            return switch (random.nextInt(16)) {
                case 0, 1 -> new ClusterCommand.RegisterNode(new NodeDescription(node, "127.0.0.1", "fd:/r" + random.nextInt(3),
                        "UD" + random.nextInt(3), Map.of("cpu", 4.0, "memoryMiB", 1024.0 * (1 + random.nextInt(4))), Map.of()), now);
                case 2 -> new ClusterCommand.SetNodeStatus(node, random.nextBoolean() ? NodeStatus.Down : NodeStatus.Up, "test", now);
                case 3 -> random.nextBoolean() ? new ClusterCommand.DisableNode(node, NodeDisableIntent.values()[random.nextInt(2)], now)
                        : new ClusterCommand.EnableNode(node, now);
                case 4 -> new ClusterCommand.CreateApplication(new ApplicationRecord("A" + random.nextInt(2), "T", "1", Map.of(), now),
                        random.nextBoolean() ? List.of() : List.of(service("A" + random.nextInt(2), "D")), now);
                case 5 -> new ClusterCommand.CreateService(service("A" + random.nextInt(2), "S" + random.nextInt(3)), now);
                case 6 -> random.nextInt(4) == 0 ? new ClusterCommand.DeleteService(new ServiceName("A0", "S" + random.nextInt(3)), now)
                        : random.nextInt(3) == 0 ? new ClusterCommand.DeleteApplication("A" + random.nextInt(2), now)
                        : new ClusterCommand.RemoveNode(node, now);
                case 7, 8, 9 -> placement(s);
                case 10, 11 -> report(s, node);
                case 12 -> new ClusterCommand.ReportHealth(List.of(new HealthReport(entity(s), "Watchdog", "p" + random.nextInt(3),
                        HealthState.values()[random.nextInt(3)], "d", random.nextBoolean() ? Duration.ofSeconds(5) : null,
                        random.nextBoolean(), random.nextInt(5), now)), now);
                case 13, 14 -> upgrade(s);
                default -> switch (random.nextInt(8)) {
                    case 0 -> new ClusterCommand.AnnounceServer("s" + random.nextInt(3), "http://127.0.0.1:" + (19080 + random.nextInt(3)), now);
                    case 1 -> new ClusterCommand.BootstrapAcl(token(), now);
                    case 2 -> new ClusterCommand.CreateAclToken(token(), now);
                    case 3 -> new ClusterCommand.RevokeAclToken(s.aclTokens().isEmpty() || random.nextInt(4) == 0
                            ? new UUID(random.nextLong(), random.nextLong()).toString() : List.copyOf(s.aclTokens().keySet()).get(random.nextInt(s.aclTokens().size())), now);
                    case 4 -> new ClusterCommand.Audited(new AuditRecord(0, now, "op", null, "POST", "/v1/apps/A0/services", "service.create"),
                            new ClusterCommand.CreateService(service("A0", "S" + random.nextInt(3)), now));
                    default -> new ClusterCommand.ExpireHealthReports(now);
                };
            };
        }

        private AclToken token() {
            String hash = String.format("%064x", random.nextLong() & Long.MAX_VALUE);
            return new AclToken(new UUID(random.nextLong(), random.nextLong()).toString(), "t" + random.nextInt(5),
                    AclRole.values()[random.nextInt(AclRole.values().length)], hash, now,
                    random.nextBoolean() ? null : now.plusSeconds(60));
        }

        private ClusterCommand.NewService service(String app, String name) {
            boolean stateful = random.nextBoolean();
            PartitionScheme partitions = random.nextBoolean() ? new PartitionScheme.Singleton()
                    : new PartitionScheme.UniformInt64Range(0, 99, 1 + random.nextInt(4));
            ActivationMode mode = random.nextBoolean() ? ActivationMode.SHARED_PROCESS : ActivationMode.EXCLUSIVE_PROCESS;
            ServiceSpec spec = stateful ? ServiceSpec.stateful("Stateful", 1 + random.nextInt(3), 1, partitions, mode)
                    : ServiceSpec.stateless("Stateless", 1 + random.nextInt(3), partitions, mode);
            return new ClusterCommand.NewService(new ServiceName(app, name), spec, "Pkg", new UUID(random.nextLong(), random.nextLong()));
        }

        /** Mostly sensible placements (some stale or impossible), removals and role changes. */
        private ClusterCommand placement(ClusterSnapshot s) {
            List<ClusterCommand.NewReplica> placements = new ArrayList<>();
            List<ServiceRecord> services = List.copyOf(s.services().values());
            for (int i = 0; i < 1 + random.nextInt(6) && !services.isEmpty(); i++) {
                ServiceRecord svc = services.get(random.nextInt(services.size()));
                var partition = svc.partitions().get(random.nextInt(svc.partitions().size()));
                ReplicaRole role = svc.spec().kind() == ServiceKind.STATELESS ? ReplicaRole.None
                        : random.nextBoolean() ? ReplicaRole.Primary : ReplicaRole.ActiveSecondary;
                String activation = svc.spec().activation() == ActivationMode.EXCLUSIVE_PROCESS ? "x" + random.nextInt(1000) : "";
                placements.add(new ClusterCommand.NewReplica(svc.name(), partition.id(), "n" + random.nextInt(6), role, activation));
            }
            List<ReplicaRecord> replicas = List.copyOf(s.replicas().values());
            List<ClusterCommand.Removal> removals = new ArrayList<>();
            List<ClusterCommand.RoleAssignment> roles = new ArrayList<>();
            if (!replicas.isEmpty() && random.nextInt(3) == 0) {
                removals.add(new ClusterCommand.Removal(replicas.get(random.nextInt(replicas.size())).id(), "test"));
            }
            if (!replicas.isEmpty() && random.nextInt(3) == 0) {
                roles.add(new ClusterCommand.RoleAssignment(replicas.get(random.nextInt(replicas.size())).id(),
                        ReplicaRole.values()[random.nextInt(3)]));
            }
            Map<ServiceName, String> problems = services.isEmpty() || random.nextBoolean() ? Map.of()
                    : Map.of(services.get(0).name(), random.nextBoolean() ? "" : "no room");
            return new ClusterCommand.ApplyPlacement(s.index(), placements, removals, roles, problems, now);
        }

        /** What a node runs: an activation per replica placed there (some reported ready, some failing). */
        private ClusterCommand report(ClusterSnapshot s, String node) {
            List<DeployedServicePackage> deployed = new ArrayList<>();
            Map<io.capstan.model.cluster.ActivationKey, List<Long>> byActivation = new java.util.TreeMap<>();
            for (ReplicaRecord r : s.replicasOn(node)) {
                ServiceRecord svc = s.services().get(r.service());
                byActivation.computeIfAbsent(new io.capstan.model.cluster.ActivationKey(r.service().application(),
                        svc.servicePackage(), r.activationId()), k -> new ArrayList<>()).add(r.id());
            }
            byActivation.forEach((key, ids) -> deployed.add(new DeployedServicePackage(node, key.application(),
                    key.servicePackage(), "1", key.activationId(),
                    DeployedServicePackage.ActivationState.values()[random.nextInt(5)], Map.of("web", 20000 + random.nextInt(100)),
                    List.of(new CodePackageStatus("Code", CodePackageStatus.State.Running, (long) (100 + random.nextInt(50)), now,
                            random.nextInt(3), null, null, null, random.nextBoolean(), 0, null, List.of(), null)), ids)));
            return new ClusterCommand.ReportNode(new NodeReport(node, s.index(), deployed), now);
        }

        private HealthEntity entity(ClusterSnapshot s) {
            if (!s.replicas().isEmpty() && random.nextBoolean()) {
                ReplicaRecord r = s.replicas().values().iterator().next();
                return new HealthEntity.Replica(r.service(), r.partitionId(), r.id());
            }
            return random.nextBoolean() ? new HealthEntity.Node("n" + random.nextInt(6)) : new HealthEntity.Application("A0");
        }

        private static ApplicationTypeRecord type(String version) {
            var manifest = new ApplicationTypeManifest("T", version, Map.of("P", "x"), List.of(new ServicePackageManifest("Pkg",
                    version, List.of(new ServiceTypeManifest("Stateful", ServiceKind.STATEFUL, "Code"),
                            new ServiceTypeManifest("Stateless", ServiceKind.STATELESS, "Code")), List.of(), List.of())),
                    List.of(), null);
            return new ApplicationTypeRecord("T", version, manifest, (version.equals("1") ? "cd" : "ef").repeat(32), 1, T0);
        }

        /** Operators' upgrade commands and controller steps, some fitting the upgrade's state and revision, some not. */
        private ClusterCommand upgrade(ClusterSnapshot s) {
            String app = "A" + random.nextInt(2);
            ApplicationRecord record = s.applications().get(app);
            long revision = record == null || record.upgrade() == null ? 0 : record.upgrade().revision();
            String domain = "UD" + random.nextInt(3);
            return switch (random.nextInt(8)) {
                case 0, 1 -> new ClusterCommand.StartUpgrade(app, random.nextBoolean() ? "2" : "1",
                        Map.of("P", "v" + random.nextInt(3)), UpgradePolicy.DEFAULT, List.of("UD0", "UD1", "UD2"), false, now);
                case 2 -> new ClusterCommand.ResumeUpgrade(app, now);
                case 3 -> new ClusterCommand.RollBackUpgrade(app, "test", now);
                default -> new ClusterCommand.StepUpgrade(app, random.nextInt(4) == 0 ? revision + 1 : revision,
                        switch (random.nextInt(7)) {
                            case 0 -> new ClusterCommand.UpgradeStep.StartDomain(domain);
                            case 1 -> new ClusterCommand.UpgradeStep.CompleteDomain(domain, "ok");
                            case 2 -> new ClusterCommand.UpgradeStep.Await(new UpgradeWait("Convergence", "d", now, now), List.of());
                            case 3 -> new ClusterCommand.UpgradeStep.Fail("test", List.of("Error"));
                            case 4 -> new ClusterCommand.UpgradeStep.RollBackDomain(domain);
                            case 5 -> new ClusterCommand.UpgradeStep.CompleteRollBackDomain(domain);
                            default -> new ClusterCommand.UpgradeStep.Finish();
                        }, now);
            };
        }
    }
}
