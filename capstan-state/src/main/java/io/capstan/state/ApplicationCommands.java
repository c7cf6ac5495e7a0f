package io.capstan.state;

import io.capstan.model.ActivationMode;
import io.capstan.model.Names;
import io.capstan.model.PartitionScheme;
import io.capstan.model.ServiceName;
import io.capstan.model.ServiceSpec;
import io.capstan.model.ServiceSpecRules;
import io.capstan.model.cluster.ApplicationRecord;
import io.capstan.model.cluster.ApplicationTypeRecord;
import io.capstan.model.cluster.ServiceRecord;
import io.capstan.model.health.HealthEntity;
import io.capstan.state.ClusterCommand.ApplicationCommand;
import io.capstan.state.ClusterCommand.CreateApplication;
import io.capstan.state.ClusterCommand.CreateService;
import io.capstan.state.ClusterCommand.DeleteApplication;
import io.capstan.state.ClusterCommand.DeleteService;
import io.capstan.state.ClusterCommand.NewService;
import io.capstan.state.ClusterCommand.RegisterApplicationType;
import io.capstan.state.ClusterCommand.UnregisterApplicationType;
import io.capstan.state.ClusterCommand.UpdateService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Application types, applications and services: what operators ask the cluster to run. */
final class ApplicationCommands implements CommandHandler<ApplicationCommand> {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    private final StateLimits limits;

    ApplicationCommands(StateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Rejection check(StateChange state, ApplicationCommand command) {
        return switch (command) {
            case RegisterApplicationType c -> checkType(state, c.type());
            case UnregisterApplicationType c -> {
                if (state.type(c.name(), c.version()) == null) {
                    yield Rejection.notFound(noSuchType(state, c.name(), c.version()));
                }
                List<String> users = new ArrayList<>();
                for (ApplicationRecord a : state.applications()) {
                    boolean upgradingTo = a.upgrading() && a.upgrade().toVersion().equals(c.version());
                    if (a.typeName().equals(c.name()) && (a.typeVersion().equals(c.version()) || upgradingTo)) {
                        users.add(a.name());
                    }
                }
                yield users.isEmpty() ? null : Rejection.inUse("application type " + c.name() + " " + c.version()
                        + " is used by applications " + users + "; delete them first");
            }
            case CreateApplication c -> checkApplication(state, c);
            case DeleteApplication c -> c.name() != null && state.application(c.name()) != null ? null
                    : Rejection.notFound("application " + c.name() + " does not exist; see `capstan app list`");
            case CreateService c -> {
                NewService s = c.service();
                if (s == null || s.name() == null) {
                    yield Rejection.invalid("service: the service and its name are required");
                }
                ApplicationRecord app = state.application(s.name().application());
                if (app == null) {
                    yield Rejection.notFound("application " + s.name().application()
                            + " does not exist; create it first with `capstan app create`");
                }
                if (state.service(s.name()) != null) {
                    yield Rejection.exists("service " + s.name() + " already exists; choose another name or delete it first");
                }
                yield checkNewService(state, app, s);
            }
            case UpdateService c -> {
                ServiceRecord old = c.name() == null ? null : state.service(c.name());
                if (old == null) {
                    yield Rejection.notFound("service " + c.name() + " does not exist");
                }
                Rejection spec = checkSpec(c.spec());
                if (spec != null) {
                    yield spec;
                }
                if (old.spec().activation() != c.spec().activation()) {
                    yield Rejection.conflict("the activation mode of " + c.name() + " is " + old.spec().activation().wireName()
                            + " and cannot be changed after creation; delete the service and create it again with --activation "
                            + (c.spec().activation() == ActivationMode.SHARED_PROCESS ? "shared" : "exclusive"));
                }
                if (!old.spec().partitions().equals(c.spec().partitions())) {
                    yield Rejection.conflict("the partitioning of " + c.name() + " cannot be changed after creation");
                }
                if (old.spec().kind() != c.spec().kind() || !old.spec().serviceType().equals(c.spec().serviceType())) {
                    yield Rejection.conflict("the service type and kind of " + c.name() + " cannot be changed");
                }
                yield null;
            }
            case DeleteService c -> c.name() != null && state.service(c.name()) != null ? null
                    : Rejection.notFound("service " + c.name() + " does not exist; see `capstan service list "
                            + (c.name() == null ? "APP" : c.name().application()) + "`");
        };
    }

    private Rejection checkType(StateChange state, ApplicationTypeRecord t) {
        if (t == null || t.manifest() == null) {
            return Rejection.invalid("type: the application type and its manifest are required");
        }
        String name = Names.problem(t.name());
        if (name != null) {
            return Rejection.invalid("applicationType: name " + name);
        }
        if (t.version() == null || t.version().isBlank() || t.version().length() > 64) {
            return Rejection.invalid("version: give a version of at most 64 characters, e.g. 1.0.0");
        }
        if (!t.name().equals(t.manifest().applicationType()) || !t.version().equals(t.manifest().version())) {
            return Rejection.invalid("type: the record names " + t.name() + " " + t.version() + " but its manifest "
                    + t.manifest().applicationType() + " " + t.manifest().version());
        }
        if (t.packageDigest() == null || !DIGEST.matcher(t.packageDigest()).matches()) {
            return Rejection.invalid("packageDigest: must be the SHA-256 of the stored package, 64 lowercase hex digits");
        }
        if (state.type(t.name(), t.version()) != null) {
            return Rejection.exists("application type " + t.name() + " version " + t.version()
                    + " is already registered; give the package a new version, or unregister the old one first");
        }
        return null;
    }

    private Rejection checkApplication(StateChange state, CreateApplication c) {
        ApplicationRecord a = c.application();
        if (a == null) {
            return Rejection.invalid("application: is required");
        }
        String name = Names.problem(a.name());
        if (name != null) {
            return Rejection.invalid("name: application name " + name);
        }
        if (state.application(a.name()) != null) {
            return Rejection.exists("application " + a.uri() + " already exists; choose another name or delete it first");
        }
        if (state.type(a.typeName(), a.typeVersion()) == null) {
            return Rejection.notFound(noSuchType(state, a.typeName(), a.typeVersion()));
        }
        if (a.parameters().size() > limits.maxNodeAttributes()) {
            return Rejection.invalid("parameters: at most " + limits.maxNodeAttributes() + " parameters");
        }
        for (Map.Entry<String, String> p : a.parameters().entrySet()) {
            if (p.getValue().length() > limits.maxTextChars()) {
                return Rejection.invalid("parameters." + p.getKey() + ": at most " + limits.maxTextChars() + " characters");
            }
        }
        Set<ServiceName> names = new HashSet<>();
        for (NewService s : c.defaultServices()) {
            if (s == null || s.name() == null || !s.name().application().equals(a.name())) {
                return Rejection.invalid("defaultServices: each default service must be named " + a.name() + "/NAME");
            }
            if (!names.add(s.name())) {
                return Rejection.invalid("defaultServices: " + s.name() + " appears twice");
            }
            Rejection r = checkNewService(state, a, s);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    private Rejection checkNewService(StateChange state, ApplicationRecord app, NewService s) {
        if (s.partitionSeed() == null) {
            return Rejection.invalid("partitionSeed: is required (the submitter draws it at random)");
        }
        Rejection spec = checkSpec(s.spec());
        if (spec != null) {
            return spec;
        }
        ApplicationTypeRecord type = state.type(app.typeName(), app.typeVersion());
        if (type == null || s.servicePackage() == null || type.manifest().servicePackage(s.servicePackage()).isEmpty()) {
            return Rejection.notFound("servicePackage: '" + s.servicePackage() + "' is not a service package of "
                    + app.typeName() + " " + app.typeVersion());
        }
        if (type.manifest().servicePackage(s.servicePackage()).get().serviceType(s.spec().serviceType()).isEmpty()) {
            return Rejection.invalid("serviceType: '" + s.spec().serviceType() + "' is not registered by service package "
                    + s.servicePackage());
        }
        if (app.upgrading()) {
            // Nodes of domains already walked run the target version: it must host the new service too.
            ApplicationTypeRecord target = state.type(app.typeName(), app.upgrade().toVersion());
            boolean hosted = target != null && target.manifest().servicePackage(s.servicePackage())
                    .flatMap(p -> p.serviceType(s.spec().serviceType())).isPresent();
            if (!hosted) {
                return Rejection.conflict("serviceType: " + app.name() + " is upgrading to " + app.upgrade().toVersion()
                        + ", which has no service type '" + s.spec().serviceType() + "' in package " + s.servicePackage()
                        + "; create the service after the upgrade");
            }
        }
        return null;
    }

    /** The spec's own rules, plus the bounds that keep one service from exhausting memory. */
    private Rejection checkSpec(ServiceSpec spec) {
        if (spec == null || spec.kind() == null || spec.serviceType() == null) {
            return Rejection.invalid("spec: serviceType and kind are required");
        }
        List<String> problems = new ArrayList<>(ServiceSpecRules.problems(spec));
        long partitions = switch (spec.partitions()) {
            case PartitionScheme.Singleton x -> 1;
            case PartitionScheme.UniformInt64Range r -> r.count();
            case PartitionScheme.Named n -> n.names().size();
        };
        if (partitions > limits.maxPartitionsPerService()) {
            problems.add("partitions: " + partitions + " partitions is more than the limit of " + limits.maxPartitionsPerService()
                    + " per service; split the service");
        }
        int replicas = Math.max(spec.instanceCount(), spec.targetReplicaSetSize());
        if (replicas > limits.maxReplicasPerPartition()) {
            problems.add((spec.instanceCount() > 0 ? "instanceCount: " : "targetReplicaSetSize: ") + replicas
                    + " is more than the limit of " + limits.maxReplicasPerPartition()
                    + " per partition; use more partitions (or -1 for one on every node)");
        }
        if (spec.placementConstraints().length() > limits.maxTextChars()) {
            problems.add("placementConstraints: at most " + limits.maxTextChars() + " characters");
        }
        return problems.isEmpty() ? null : Rejection.invalid(String.join("; ", problems));
    }

    @Override
    public void apply(StateChange state, ApplicationCommand command) {
        switch (command) {
            case RegisterApplicationType c -> {
                state.putType(c.type());
                state.event(c.at(), "ApplicationTypeRegistered", c.type().name() + " " + c.type().version(), "");
            }
            case UnregisterApplicationType c -> {
                state.removeType(c.name(), c.version());
                state.event(c.at(), "ApplicationTypeUnregistered", c.name() + " " + c.version(), "");
            }
            case CreateApplication c -> {
                state.putApplication(c.application());
                state.event(c.at(), "ApplicationCreated", c.application().uri(),
                        "type " + c.application().typeName() + " " + c.application().typeVersion());
                for (NewService s : c.defaultServices()) {
                    addService(state, s.toRecord(c.at()), c.at());
                }
            }
            case DeleteApplication c -> {
                for (ServiceName s : state.servicesOf(c.name())) {
                    removeService(state, s, c.at());
                }
                state.removeApplication(c.name());
                state.dropHealth(e -> switch (e) {
                    case HealthEntity.Application x -> x.name().equals(c.name());
                    case HealthEntity.DeployedApplication x -> x.application().equals(c.name());
                    case HealthEntity.DeployedServicePackage x -> x.application().equals(c.name());
                    default -> false;
                });
                state.event(c.at(), "ApplicationDeleted", ServiceName.SCHEME + c.name(), "");
            }
            case CreateService c -> addService(state, c.service().toRecord(c.at()), c.at());
            case UpdateService c -> {
                ServiceRecord old = state.service(c.name());
                state.putService(new ServiceRecord(old.name(), c.spec(), old.servicePackage(), old.partitions(),
                        old.createdAt(), old.placementProblem()));
                state.event(c.at(), "ServiceUpdated", c.name().uri(), "");
            }
            case DeleteService c -> removeService(state, c.name(), c.at());
        }
    }

    private static void addService(StateChange state, ServiceRecord s, Instant at) {
        state.putService(s);
        state.event(at, "ServiceCreated", s.name().uri(), s.spec().kind().wireName() + ", " + s.partitions().size()
                + " partition(s), " + s.spec().activation().wireName());
    }

    private static void removeService(StateChange state, ServiceName name, Instant at) {
        List<io.capstan.model.cluster.ReplicaRecord> removed = state.removeService(name);
        state.event(at, "ServiceDeleted", name.uri(), removed.isEmpty() ? "" : removed.size() + " replica(s) removed");
        ReplicaDerivation.finishDrains(state, removed.stream().map(r -> r.node()).distinct().toList(), at);
    }

    private static String noSuchType(StateChange state, String name, String version) {
        var versions = name == null ? null : state.types().get(name);
        if (versions == null) {
            return "application type " + name + " is not registered; register it with `capstan apptype register DIR`"
                    + (state.types().isEmpty() ? "" : " (registered types: " + state.types().keySet() + ")");
        }
        return "application type " + name + " has no version " + version + "; registered versions: " + versions.keySet();
    }
}
