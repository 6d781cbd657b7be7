//! Property tests (proptest): the laws of vector clocks (§4.4) and of preference lists
//! (§4.3).

use dynamo_playground::core::clock::{Causality, VectorClock};
use dynamo_playground::core::ring::Ring;
use dynamo_playground::core::version::{reconcile, Reconciliation, Version};
use dynamo_playground::core::NodeId;
use proptest::prelude::*;

fn clock() -> impl Strategy<Value = VectorClock> {
    proptest::collection::vec((0u32..6, 1u64..5, 0u64..100), 0..6).prop_map(|pairs| {
        let mut c = VectorClock::new();
        for (node, counter, ts) in pairs {
            c.set(NodeId(node), counter, ts);
        }
        c
    })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_commutative(a in clock(), b in clock()) {
        prop_assert_eq!(a.merge(&b), b.merge(&a));
    }

    #[test]
    fn merge_is_associative(a in clock(), b in clock(), c in clock()) {
        prop_assert_eq!(a.merge(&b).merge(&c), a.merge(&b.merge(&c)));
    }

    #[test]
    fn merge_is_idempotent(a in clock()) {
        prop_assert_eq!(a.merge(&a), a.clone());
    }

    #[test]
    fn merge_descends_both_and_is_the_least_such_clock(a in clock(), b in clock(), c in clock()) {
        let m = a.merge(&b);
        prop_assert!(m.descends(&a) && m.descends(&b));
        if c.descends(&a) && c.descends(&b) {
            prop_assert!(c.descends(&m));
        }
    }

    #[test]
    fn compare_is_consistent_with_merge(a in clock(), b in clock()) {
        let m = a.merge(&b);
        let same_counters = |x: &VectorClock, y: &VectorClock| x.counters() == y.counters();
        match a.compare(&b) {
            Causality::Equal => prop_assert!(same_counters(&a, &b)),
            Causality::Descends => prop_assert!(same_counters(&m, &a)),
            Causality::DescendedBy => prop_assert!(same_counters(&m, &b)),
            Causality::Concurrent => prop_assert!(!same_counters(&m, &a) && !same_counters(&m, &b)),
        }
        // compare is antisymmetric
        let flipped = match b.compare(&a) {
            Causality::Descends => Causality::DescendedBy,
            Causality::DescendedBy => Causality::Descends,
            other => other,
        };
        prop_assert_eq!(a.compare(&b), flipped);
    }

    #[test]
    fn increment_descends_strictly(a in clock(), node in 0u32..6) {
        let mut b = a.clone();
        b.increment(NodeId(node), 1_000);
        prop_assert_eq!(b.compare(&a), Causality::Descends);
    }

    #[test]
    fn truncation_keeps_at_most_the_threshold(a in clock(), threshold in 1usize..4) {
        let mut t = a.clone();
        t.truncate(threshold);
        prop_assert!(t.len() <= threshold);
        prop_assert!(a.descends(&t), "truncation only forgets");
    }

    #[test]
    fn reconcile_keeps_exactly_the_maximal_versions_in_any_order(
        clocks in proptest::collection::vec(clock(), 1..7), rotate in 0usize..7
    ) {
        let versions: Vec<Version> = clocks.iter().enumerate()
            .map(|(i, c)| Version::new(format!("v{i}").into(), c.clone(), i as u64))
            .collect();
        let kept = reconcile(versions.clone(), Reconciliation::Siblings);
        let mut rotated = versions.clone();
        rotated.rotate_left(rotate % versions.len());
        prop_assert_eq!(&kept, &reconcile(rotated, Reconciliation::Siblings));
        for k in &kept {
            for v in &versions {
                // Nothing kept is strictly dominated by any version.
                prop_assert!(v.clock.compare(&k.clock) != Causality::Descends);
            }
        }
        for v in &versions {
            prop_assert!(kept.iter().any(|k| k.clock.descends(&v.clock)), "every version is covered");
        }
        for (i, a) in kept.iter().enumerate() {
            for b in &kept[i + 1..] {
                prop_assert_eq!(a.clock.compare(&b.clock), Causality::Concurrent);
            }
        }
    }
}

/// A ring of `nodes` nodes with the given tokens per node.
fn ring_from(tokens: &[(u32, u128)]) -> Ring {
    let mut ring = Ring::new();
    let mut seen = std::collections::BTreeSet::new();
    for &(node, t) in tokens {
        if seen.insert(t) {
            ring.add_node(NodeId(node), &[t]);
        }
    }
    ring
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn preference_list_has_distinct_physical_nodes(
        tokens in proptest::collection::vec((0u32..8, any::<u128>()), 1..40), key in any::<u128>(), n in 1usize..10
    ) {
        let ring = ring_from(&tokens);
        let list = ring.preference_list(key, n);
        let distinct = ring.nodes().len();
        prop_assert_eq!(list.len(), n.min(distinct));
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), list.len(), "no node twice");
        // The first is the owner of the first token at or after the key.
        prop_assert_eq!(list[0], ring.owner_token(key).unwrap().1);
        // A longer list extends a shorter one.
        prop_assert_eq!(&ring.preference_list(key, n + 3)[..list.len()], &list[..]);
    }

    #[test]
    fn preference_list_is_stable_under_unrelated_token_changes(
        tokens in proptest::collection::vec((0u32..6, any::<u128>()), 3..30),
        key in any::<u128>(), n in 1usize..4, extra in any::<u128>()
    ) {
        let ring = ring_from(&tokens);
        let list = ring.preference_list(key, n);
        // With fewer than n nodes on the ring any new node joins the list; skip that case.
        prop_assume!(list.len() == n);
        // Walk clockwise from the key to the token where the top-n list was completed;
        // a new token outside that arc cannot change the list.
        let tokens_sorted: Vec<u128> = ring.tokens().iter().map(|&(t, _)| t).collect();
        let start = tokens_sorted.partition_point(|&t| t < key) % tokens_sorted.len();
        let mut seen = Vec::new();
        let mut end = tokens_sorted[start];
        for step in 0..tokens_sorted.len() {
            let (t, node) = ring.tokens()[(start + step) % tokens_sorted.len()];
            if !seen.contains(&node) { seen.push(node); }
            end = t;
            if seen.len() == list.len() { break; }
        }
        let inside_arc = dynamo_playground::core::ring::in_range(extra, key.wrapping_sub(1), end)
            || extra == key;
        prop_assume!(!inside_arc && !ring.contains_token(extra));
        let mut changed = ring.clone();
        changed.add_node(NodeId(99), &[extra]);
        prop_assert_eq!(changed.preference_list(key, n), list);
    }

    #[test]
    fn a_node_hosts_exactly_the_ranges_it_is_a_replica_of(
        tokens in proptest::collection::vec((0u32..6, any::<u128>()), 1..40), n in 1usize..5, node in 0u32..6, q in 1u32..20
    ) {
        use dynamo_playground::core::merkle::{hosted_ranges, key_ranges};
        use dynamo_playground::core::partition::Strategy as Partitioning;
        let ring = ring_from(&tokens);
        for strategy in [Partitioning::RandomTokens, Partitioning::RandomTokensEqualPartitions { q }] {
            let expected: Vec<_> = key_ranges(&ring, strategy, n).into_iter().filter(|(_, r)| r.contains(&NodeId(node))).collect();
            prop_assert_eq!(hosted_ranges(&ring, strategy, n, NodeId(node)), expected);
        }
    }
}

/// Something that happens to a small cluster, for the kept-Merkle-tree property.
#[derive(Clone, Debug)]
enum Happening {
    Put { node: u32, key: u32 },
    Crash(u32),
    Recover(u32),
    Wipe(u32),
    Partition(u32),
    Heal,
    Join,
    Leave(u32),
    AntiEntropy,
}

fn happening() -> impl Strategy<Value = Happening> {
    prop_oneof![
        6 => (0u32..5, 0u32..30).prop_map(|(node, key)| Happening::Put { node, key }),
        1 => (0u32..5).prop_map(Happening::Crash),
        1 => (0u32..5).prop_map(Happening::Recover),
        1 => (0u32..5).prop_map(Happening::Wipe),
        1 => (0u32..5).prop_map(Happening::Partition),
        1 => Just(Happening::Heal),
        1 => Just(Happening::Join),
        1 => (0u32..5).prop_map(Happening::Leave),
        1 => Just(Happening::AntiEntropy),
    ]
}

/// Every node keeps exactly one tree per range it hosts on its own ring, and each equals
/// the tree rebuilt from scratch from its store (§4.7).
fn kept_trees_match(w: &dynamo_playground::sim::world::World) -> Result<(), TestCaseError> {
    for id in w.node_ids() {
        let node = w.node(id);
        let (strategy, n) = (node.config().strategy, node.config().n);
        let on_its_ring =
            dynamo_playground::core::merkle::hosted_ranges(node.ring(), strategy, n, id);
        prop_assert_eq!(&node.hosted_ranges(), &on_its_ring);
        let hosted: Vec<_> = on_its_ring.into_iter().map(|(r, _)| r).collect();
        let mut kept: Vec<_> = node.kept_ranges().collect();
        let mut sorted = hosted.clone();
        sorted.sort();
        kept.sort();
        prop_assert_eq!(&kept, &sorted, "node {:?} keeps a tree per hosted range", id);
        for range in hosted {
            prop_assert_eq!(
                node.merkle_tree(range),
                node.merkle_tree_from_store(range),
                "node {:?}",
                id
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn kept_merkle_trees_equal_trees_rebuilt_from_the_store(
        seed in 0u64..1_000,
        strategy_3 in any::<bool>(),
        happenings in proptest::collection::vec((happening(), 0u64..60), 1..40),
    ) {
        use dynamo_playground::core::config::Config;
        use dynamo_playground::core::partition::Strategy as Partitioning;
        use dynamo_playground::core::MS;
        use dynamo_playground::sim::world::{NodeSpec, World, WorldSpec};
        let strategy = if strategy_3 { Partitioning::EqualPartitions { q: 24 } } else { Partitioning::RandomTokens };
        let mut w = World::new(WorldSpec {
            seed,
            nodes: (0..5).map(|i| NodeSpec::named(&format!("n{i}"))).collect(),
            tokens_per_node: 3,
            config: Config { strategy, anti_entropy_interval: Some(30 * MS), ..Config::default() },
            record_trace: false,
            ..WorldSpec::default()
        }).unwrap();
        kept_trees_match(&w)?;
        for (step, (happening, wait_ms)) in happenings.into_iter().enumerate() {
            match happening {
                Happening::Put { node, key } => {
                    let (client, key) = (format!("c{}", step % 3), format!("k{key}"));
                    let context = w.last_read_context(&client, &key);
                    w.put(&client, &key, &format!("v{step}"), NodeId(node), context);
                }
                Happening::Crash(n) => w.crash(NodeId(n)),
                Happening::Recover(n) => w.recover(NodeId(n)),
                Happening::Wipe(n) => w.wipe(NodeId(n)),
                Happening::Partition(n) => w.partition(vec![vec![NodeId(n)]]),
                Happening::Heal => w.heal(),
                Happening::Join => {
                    let name = format!("n{}", w.names().len());
                    if w.names().len() < 8 {
                        let _ = w.join(&name, Some(NodeId(0)), 1.0, None);
                    }
                }
                Happening::Leave(n) => {
                    let _ = w.leave(NodeId(n));
                }
                Happening::AntiEntropy => w.anti_entropy(),
            }
            w.run_until(w.now() + wait_ms * MS);
            kept_trees_match(&w)?;
        }
        w.heal();
        for id in w.node_ids().collect::<Vec<_>>() {
            w.recover(id);
        }
        w.settle(5_000 * MS);
        kept_trees_match(&w)?;
    }
}
