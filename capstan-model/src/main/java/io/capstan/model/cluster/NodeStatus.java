package io.capstan.model.cluster;

/** A node's state as the cluster sees it. */
public enum NodeStatus { Up, Down, Disabled }
