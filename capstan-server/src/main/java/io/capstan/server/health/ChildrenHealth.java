package io.capstan.server.health;

/** How many children of one kind ({@code Replicas}, {@code Nodes}, ...) are in each aggregated state. */
public record ChildrenHealth(String kind, int total, int ok, int warning, int error) {
}
