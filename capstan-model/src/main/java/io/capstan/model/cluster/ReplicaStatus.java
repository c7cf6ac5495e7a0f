package io.capstan.model.cluster;

/** Service Fabric's replica lifecycle, as far as the cluster tracks it. */
public enum ReplicaStatus { InBuild, Ready, Down }
