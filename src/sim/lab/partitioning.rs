//! The partitioning lab (§6.2, Figure 8): placeholder replaced below.
