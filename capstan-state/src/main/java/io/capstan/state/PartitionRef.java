package io.capstan.state;

import io.capstan.model.ServiceName;
import io.capstan.model.cluster.PartitionRecord;

/** A partition and the service it belongs to: the state's index of partitions by id. */
public record PartitionRef(ServiceName service, PartitionRecord partition) {
}
