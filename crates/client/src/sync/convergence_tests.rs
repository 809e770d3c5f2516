//! Profiles converging through the sync driver: partitions healed, faulty carriers, many
//! seeds.
