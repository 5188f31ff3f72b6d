package org.jgrad.backend;

/** Reduction primitives. Mean, var, logsumexp and norms are composites over these. */
public enum ReduceOp {
  SUM,
  MAX,
  MIN
}
