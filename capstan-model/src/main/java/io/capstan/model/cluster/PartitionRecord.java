package io.capstan.model.cluster;

import io.capstan.model.PartitionKey;
import java.util.UUID;

/** One partition of a service, with its stable id. */
public record PartitionRecord(UUID id, PartitionKey key) {
}
