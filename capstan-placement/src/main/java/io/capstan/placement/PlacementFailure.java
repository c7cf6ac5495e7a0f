package io.capstan.placement;

import io.capstan.model.ServiceName;
import java.util.UUID;

/**
 * A partition that will have fewer replicas than it wants after the plan: {@code placed} is how many
 * it will have (kept + newly placed, not counting replicas on draining nodes), {@code wanted} its resolved
 * target, {@code reason} which rules excluded which nodes, and which replicas on draining nodes the plan
 * removed without a replacement.
 */
public record PlacementFailure(ServiceName service, UUID partitionId, int placed, int wanted, String reason) {
}
