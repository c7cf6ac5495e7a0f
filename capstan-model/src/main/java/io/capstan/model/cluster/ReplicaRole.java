package io.capstan.model.cluster;

/** A replica's role: stateless instances have None; a stateful partition has one Primary. */
public enum ReplicaRole { None, Primary, ActiveSecondary }
