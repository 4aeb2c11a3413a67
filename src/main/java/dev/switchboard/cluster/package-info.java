/**
 * Several Switchboard processes (nodes) acting as one bot on one PostgreSQL database: each node's heartbeat, the
 * lease that makes one node at a time answer a thread, and the shared poll through which a node answers what another
 * stored for its threads or left behind when it died. Wired in by the composition root when {@code cluster.enabled}.
 */
package dev.switchboard.cluster;
