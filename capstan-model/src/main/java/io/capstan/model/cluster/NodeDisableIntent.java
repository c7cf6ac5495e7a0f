package io.capstan.model.cluster;

/**
 * Why an operator disables a node (Service Fabric's deactivation intent): Restart for maintenance after
 * which it comes back, Remove when it leaves the cluster for good. Both drain it the same way today;
 * the intent is kept so operators and later upgrade logic can tell them apart.
 */
public enum NodeDisableIntent { Restart, Remove }
