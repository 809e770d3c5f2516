//! Synthetic correspondence for trying the product and for benchmarks.
