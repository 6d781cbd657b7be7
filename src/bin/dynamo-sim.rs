//! `dynamo-sim`: runs scenario files headless and prints JSON.
//!
//! ```text
//! dynamo-sim run FILE [--trace OUT]      the result document (results, final, metrics,
//!                                        trace_hash); with --trace, every event of the run
//!                                        written to OUT as JSON Lines (`app::export`)
//! dynamo-sim check FILE                  runs the file and checks its history (`sim::check`):
//!                                        exit 1 if a property Dynamo promises was violated
//! dynamo-sim ring FILE --key KEY         a key's ring position and preference list
//! dynamo-sim balance FILE [--keys K] [--q Q]
//!                                        §6.2: load-balancing efficiency and membership size
//!                                        of the cluster under each partitioning strategy
//! dynamo-sim lab consistency [--n N --r R --w W --nodes S --latency MODEL --trials K
//!                             --points P --t-max MS --seed X --sloppy --failure-rate F]
//!                                        §4.5, PBS: how often a read t ms after a write's
//!                                        acknowledgement sees it; MODEL is fixed:MS,
//!                                        uniform:MIN:MAX or exponential:MEAN
//! dynamo-sim lab partitioning [--nodes S --n N --keys K --tokens T1,T2,… --seed X]
//!                                        §6.2, Figure 8: efficiency against membership size
//! dynamo-sim lab divergence [--nodes S --n N --r R --w W --clients C --carts K --think MS
//!                            --failure-rate F --period MS --seconds S --latency MODEL
//!                            --seed X]
//!                                        §6.3: how many versions reads see, and why
//! dynamo-sim lab coordination [--nodes S --n N --r R --w W --keys K --ops K --interval MS
//!                              --poll MS --latency MODEL --seed X]
//!                                        §6.4, Table 2: server- against client-driven
//! dynamo-sim lab compare [--a N,R,W[,sloppy|strict][,s1|s2|s3] --b … --nodes S
//!                         --failure-rate F --seconds S --seed X]
//!                                        two runs side by side: the same load and failures,
//!                                        different settings; what each did
//! dynamo-sim search [--n N --r R --w W --sloppy --lww --truncation T --faults F1,F2,…
//!                    --property P --promised --no-handoff --no-periodic-anti-entropy
//!                    --schedules K --steps K --seed X --out FILE]
//!                                        random fault schedules judged by the checker; the
//!                                        first that violates P (a property's name with
//!                                        dashes, or any; with --promised, only where Dynamo
//!                                        promises it: a bug) shrunk and written to FILE
//! ```
//! Errors go to stderr with exit code 1 (2 for a bad command line). Sizes and durations
//! are limited as `dynamo_playground::sim::limits` documents.

use dynamo_playground::app::export::trace_jsonl;
use dynamo_playground::core::partition::TOKEN_ENTRY_BYTES;
use dynamo_playground::core::ring::{format_position, key_position};
use dynamo_playground::sim::check;
use dynamo_playground::sim::lab::compare::{CompareLab, CompareSpec, Side};
use dynamo_playground::sim::lab::consistency::{ConsistencyLab, ConsistencySpec};
use dynamo_playground::sim::lab::coordination::{self, CoordinationSpec};
use dynamo_playground::sim::lab::divergence::{DivergenceLab, DivergenceSpec};
use dynamo_playground::sim::lab::partitioning::{PartitioningLab, PartitioningSpec};
use dynamo_playground::sim::limits::{MAX_BALANCE_KEYS, MAX_PARTITIONS, MAX_SCENARIO_BYTES};
use dynamo_playground::sim::network::Latency;
use dynamo_playground::sim::scenario::{self, Scenario};
use dynamo_playground::sim::search::{Faults, Search, SearchSpec};
use dynamo_playground::sim::strategies::compare_with;
use dynamo_playground::sim::World;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage:
  dynamo-sim run FILE [--trace OUT]
  dynamo-sim check FILE
  dynamo-sim ring FILE --key KEY
  dynamo-sim balance FILE [--keys K] [--q Q]
  dynamo-sim lab consistency [--n N] [--r R] [--w W] [--nodes S] [--latency MODEL]
                             [--trials K] [--points P] [--t-max MS] [--seed X] [--sloppy]
                             [--failure-rate F]      (MODEL: fixed:MS, uniform:MIN:MAX,
                                                      exponential:MEAN)
  dynamo-sim lab partitioning [--nodes S] [--n N] [--keys K] [--tokens T1,T2,...] [--seed X]
  dynamo-sim lab divergence [--nodes S] [--n N] [--r R] [--w W] [--clients C] [--carts K]
                            [--think MS] [--failure-rate F] [--period MS] [--seconds S]
                            [--latency MODEL] [--seed X]
  dynamo-sim lab compare [--a N,R,W[,sloppy|strict][,s1|s2|s3]] [--b ...] [--nodes S]
                         [--failure-rate F] [--seconds S] [--seed X]
  dynamo-sim search [--n N] [--r R] [--w W] [--sloppy] [--lww] [--truncation T]
                    [--faults crash,wipe,partition,link,membership|none] [--property P|any]
                    [--promised] [--no-handoff] [--no-periodic-anti-entropy]
                    [--schedules K] [--steps K] [--seed X] [--out FILE]
  dynamo-sim lab coordination [--nodes S] [--n N] [--r R] [--w W] [--keys K] [--ops K]
                              [--interval MS] [--poll MS] [--latency MODEL] [--seed X]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.len() == 2 => load(&args[1]).and_then(|s| scenario::run(&s)),
        Some("run") if args.len() == 4 && args[2] == "--trace" => {
            load(&args[1]).and_then(|s| run_traced(&s, &args[3]))
        }
        Some("ring") if args.len() == 4 && args[2] == "--key" => {
            load(&args[1]).and_then(|s| ring(&s, &args[3]))
        }
        Some("balance") if args.len() >= 2 => match parse_flags(&args[2..]) {
            Err(e) => {
                eprintln!("dynamo-sim: {e}\n{USAGE}");
                return ExitCode::from(2);
            }
            Ok((keys, q)) => load(&args[1]).and_then(|s| balance(&s, keys, q)),
        },
        Some("check") if args.len() == 2 => match load(&args[1]).and_then(|s| check(&s)) {
            Ok((doc, held)) => {
                let text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
                let _ = writeln!(std::io::stdout().lock(), "{text}");
                return if held { ExitCode::SUCCESS } else { ExitCode::FAILURE };
            }
            Err(e) => Err(e),
        },
        Some("search") => match search_spec(&args[1..]) {
            Err(e) => {
                eprintln!("dynamo-sim: {e}\n{USAGE}");
                return ExitCode::from(2);
            }
            Ok((spec, out)) => search(spec, out.as_deref()),
        },
        Some("lab") if args.len() >= 2 => {
            let parsed = match args[1].as_str() {
                "consistency" => consistency_spec(&args[2..]).map(Lab::Consistency),
                "partitioning" => partitioning_spec(&args[2..]).map(Lab::Partitioning),
                "divergence" => divergence_spec(&args[2..]).map(Lab::Divergence),
                "coordination" => coordination_spec(&args[2..]).map(Lab::Coordination),
                "compare" => compare_spec(&args[2..]).map(Lab::Compare),
                other => Err(format!(
                    "unknown lab {other:?}: consistency, partitioning, divergence, coordination or \
                     compare"
                )),
            };
            match parsed {
                Err(e) => {
                    eprintln!("dynamo-sim: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
                Ok(lab) => run_lab(lab),
            }
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(doc) => {
            let text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
            // A reader that stops early (`| head`) closes the pipe: nothing more to say.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dynamo-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a scenario and writes its trace as JSON Lines to `out` (opened first: a path that
/// cannot be written is refused before the run).
fn run_traced(scenario: &Scenario, out: &str) -> Result<Value, String> {
    let mut file =
        std::fs::File::create(out).map_err(|e| format!("cannot write the trace to {out}: {e}"))?;
    let (doc, world) = scenario::run_recorded(scenario, true)?;
    file.write_all(trace_jsonl(&world).as_bytes())
        .map_err(|e| format!("cannot write the trace to {out}: {e}"))?;
    Ok(doc)
}

/// Runs a scenario and checks its history (`sim::check`): each property, held or violated,
/// promised or not, with its evidence; and whether every promised property held.
fn check(scenario: &Scenario) -> Result<(Value, bool), String> {
    let world = scenario::run_world(scenario)?;
    let verdicts = check::check(&world);
    let held = check::all_promised_held(&verdicts);
    let doc = json!({"properties": verdicts, "promised_held": held});
    Ok((doc, held))
}

fn load(path: &str) -> Result<Scenario, String> {
    // A file too large is refused before it is read (Scenario::from_json says the same).
    let bytes = std::fs::metadata(path).map_err(|e| format!("cannot read {path}: {e}"))?.len();
    if bytes > MAX_SCENARIO_BYTES as u64 {
        return Err(format!(
            "{path}: a scenario file has at most {MAX_SCENARIO_BYTES} bytes (this one has {bytes})"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn ring(scenario: &Scenario, key: &str) -> Result<Value, String> {
    let world = World::new(scenario.world_spec(false)?)?;
    let list: Vec<&str> = world.preference_list(key).into_iter().map(|n| world.name(n)).collect();
    Ok(json!({"key": key, "position": format_position(key_position(key)), "preference_list": list}))
}

/// `[--keys K] [--q Q]`: K keys (1 to 1,000,000; default 10,000), Q partitions (1 to 65,536).
fn parse_flags(flags: &[String]) -> Result<(u32, Option<u32>), String> {
    let (mut keys, mut q) = (10_000u32, None);
    let mut it = flags.iter();
    while let Some(flag) = it.next() {
        let most = match flag.as_str() {
            "--keys" => MAX_BALANCE_KEYS,
            "--q" => MAX_PARTITIONS,
            _ => return Err(format!("unknown flag {flag:?}")),
        };
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number =
            value.parse::<u32>().ok().filter(|n| (1..=most).contains(n)).ok_or_else(|| {
                format!("{flag}: {value:?} is not a whole number from 1 to {most}")
            })?;
        match flag.as_str() {
            "--keys" => keys = number,
            _ => q = Some(number),
        }
    }
    Ok((keys, q))
}

fn balance(scenario: &Scenario, keys: u32, q: Option<u32>) -> Result<Value, String> {
    let base = scenario.world_spec(false)?;
    let compared = compare_with(&base, keys, q)?;
    let rows: Vec<Value> = compared
        .iter()
        .map(|c| {
            json!({
                "strategy": c.strategy.number(),
                "q": c.strategy.partitions(),
                "efficiency": c.load.efficiency,
                "mean_load": c.load.mean,
                "max_load": c.load.max,
                "membership_entries": c.membership,
                "membership_bytes": c.membership * TOKEN_ENTRY_BYTES,
            })
        })
        .collect();
    Ok(json!({"keys": keys, "n": base.config.n, "strategies": rows}))
}

enum Lab {
    Consistency(ConsistencySpec),
    Partitioning(PartitioningSpec),
    Divergence(DivergenceSpec),
    Coordination(CoordinationSpec),
    Compare(CompareSpec),
}

/// `lab compare`'s flags; a side is `N,R,W[,sloppy|strict][,s1|s2|s3]`.
fn compare_spec(flags: &[String]) -> Result<CompareSpec, String> {
    let known = ["--a", "--b", "--nodes", "--failure-rate", "--seconds", "--seed"];
    let mut spec = CompareSpec::default();
    for (flag, value) in flag_pairs(flags, &known)? {
        match flag {
            "--a" => spec.a = side(flag, value, spec.a)?,
            "--b" => spec.b = side(flag, value, spec.b)?,
            "--nodes" => spec.nodes = number(flag, value)?,
            "--failure-rate" => spec.failure_rate = number(flag, value)?,
            "--seconds" => spec.seconds = number(flag, value)?,
            _ => spec.seed = number(flag, value)?,
        }
    }
    spec.validate()?;
    Ok(spec)
}

fn side(flag: &str, value: &str, mut side: Side) -> Result<Side, String> {
    let parts: Vec<&str> = value.split(',').map(str::trim).collect();
    let [n, r, w, rest @ ..] = parts.as_slice() else {
        return Err(format!("{flag}: {value:?} is not N,R,W[,sloppy|strict][,s1|s2|s3]"));
    };
    (side.n, side.r, side.w) = (number(flag, n)?, number(flag, r)?, number(flag, w)?);
    for word in rest {
        match *word {
            "sloppy" => side.sloppy_quorum = true,
            "strict" => side.sloppy_quorum = false,
            "s1" | "s2" | "s3" => side.strategy = word[1..].parse().expect("a digit"),
            _ => return Err(format!("{flag}: {word:?} is not sloppy, strict, s1, s2 or s3")),
        }
    }
    Ok(side)
}

/// The search's flags, and where to write the counterexample.
fn search_spec(flags: &[String]) -> Result<(SearchSpec, Option<String>), String> {
    let known = [
        "--n",
        "--r",
        "--w",
        "--sloppy",
        "--lww",
        "--truncation",
        "--faults",
        "--property",
        "--promised",
        "--no-handoff",
        "--no-periodic-anti-entropy",
        "--schedules",
        "--steps",
        "--seed",
        "--out",
    ];
    let mut spec = SearchSpec::default();
    let mut out = None;
    for (flag, value) in flag_pairs(flags, &known)? {
        match flag {
            "--n" => spec.n = number(flag, value)?,
            "--r" => spec.r = number(flag, value)?,
            "--w" => spec.w = number(flag, value)?,
            "--sloppy" => spec.sloppy_quorum = true,
            "--lww" => spec.last_write_wins = true,
            "--promised" => spec.promised_only = true,
            "--no-handoff" => spec.hinted_handoff = false,
            "--no-periodic-anti-entropy" => spec.periodic_anti_entropy = false,
            "--truncation" => spec.clock_truncation = number(flag, value)?,
            "--faults" => spec.faults = Faults::parse(value)?,
            "--property" if value == "any" => spec.property = None,
            "--property" => {
                spec.property = Some(check::property(value).ok_or_else(|| {
                    let slugs: Vec<String> =
                        check::PROPERTIES.iter().map(|p| p.replace(' ', "-")).collect();
                    format!("--property: {value:?} is not one of {} or any", slugs.join(", "))
                })?)
            }
            "--schedules" => spec.schedules = number(flag, value)?,
            "--steps" => spec.steps = number(flag, value)?,
            "--seed" => spec.seed = number(flag, value)?,
            _ => out = Some(value.to_string()),
        }
    }
    spec.check()?;
    Ok((spec, out))
}

/// Searches for a counterexample; writes the shrunk scenario to `out` (opened first).
fn search(spec: SearchSpec, out: Option<&str>) -> Result<Value, String> {
    let cannot = |e: std::io::Error| format!("cannot write the counterexample to {out:?}: {e}");
    let mut file = out.map(std::fs::File::create).transpose().map_err(cannot)?;
    let search = Search::new(spec)?;
    let tried_all = search.spec().schedules;
    let Some(found) = search.run() else {
        if let Some(path) = out {
            // Nothing to write: no empty file left behind.
            let _ = std::fs::remove_file(path);
        }
        return Ok(json!({"found": false, "schedules_tried": tried_all}));
    };
    if let Some(file) = &mut file {
        file.write_all(found.shrunk.to_json().as_bytes()).map_err(cannot)?;
    }
    Ok(json!({
        "found": true,
        "schedules_tried": found.schedule + 1,
        "schedule_seed": found.schedule_seed,
        "steps_before_shrinking": found.original.steps.len(),
        "steps_after_shrinking": found.shrunk.steps.len(),
        "shrink_runs": found.shrink_runs,
        "verdict": found.verdict,
        "counterexample": serde_json::from_str::<Value>(&found.shrunk.to_json())
            .map_err(|e| e.to_string())?,
    }))
}

fn run_lab(lab: Lab) -> Result<Value, String> {
    let doc = match lab {
        Lab::Consistency(spec) => serde_json::to_value(ConsistencyLab::new(spec)?.finish()),
        Lab::Partitioning(spec) => serde_json::to_value(PartitioningLab::new(spec)?.finish()?),
        Lab::Divergence(spec) => serde_json::to_value(DivergenceLab::new(spec)?.finish()),
        Lab::Coordination(spec) => serde_json::to_value(coordination::run(&spec)?),
        Lab::Compare(spec) => {
            let mut lab = CompareLab::new(spec)?;
            while !lab.is_done() {
                lab.run(100);
            }
            let [a, b] = lab.report();
            Ok(json!({"a": a, "b": b}))
        }
    };
    doc.map_err(|e| e.to_string())
}

/// `--flag value` pairs (and `--sloppy`, `--lww` and `--promised`, which take none), each
/// flag at most once.
fn flag_pairs<'a>(flags: &'a [String], known: &[&str]) -> Result<Vec<(&'a str, &'a str)>, String> {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut it = flags.iter();
    while let Some(flag) = it.next() {
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown flag {flag:?}"));
        }
        if pairs.iter().any(|(f, _)| f == flag) {
            return Err(format!("{flag} given twice"));
        }
        let valueless =
            ["--sloppy", "--lww", "--promised", "--no-handoff", "--no-periodic-anti-entropy"];
        let value = if valueless.contains(&flag.as_str()) {
            ""
        } else {
            it.next().ok_or_else(|| format!("{flag} needs a value"))?.as_str()
        };
        pairs.push((flag.as_str(), value));
    }
    Ok(pairs)
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("{flag}: {value:?} is not a number of the right kind"))
}

/// `fixed:MS`, `uniform:MIN:MAX` or `exponential:MEAN`.
fn latency(value: &str) -> Result<Latency, String> {
    let parts: Vec<&str> = value.split(':').collect();
    let ms = |text: &str| number::<f64>("--latency", text);
    let model = match parts.as_slice() {
        ["fixed", m] => Latency::Fixed { ms: ms(m)? },
        ["uniform", a, b] => Latency::Uniform { min: ms(a)?, max: ms(b)? },
        ["exponential", m] => Latency::Exponential { mean: ms(m)? },
        _ => {
            return Err(format!(
                "--latency: {value:?} is not fixed:MS, uniform:MIN:MAX or exponential:MEAN"
            ))
        }
    };
    model.validate()?;
    Ok(model)
}

fn consistency_spec(flags: &[String]) -> Result<ConsistencySpec, String> {
    let known = [
        "--n",
        "--r",
        "--w",
        "--nodes",
        "--latency",
        "--trials",
        "--points",
        "--t-max",
        "--seed",
        "--sloppy",
        "--failure-rate",
    ];
    let mut spec = ConsistencySpec::default();
    for (flag, value) in flag_pairs(flags, &known)? {
        match flag {
            "--n" => spec.n = number(flag, value)?,
            "--r" => spec.r = number(flag, value)?,
            "--w" => spec.w = number(flag, value)?,
            "--nodes" => spec.nodes = number(flag, value)?,
            "--latency" => spec.latency = latency(value)?,
            "--trials" => spec.trials = number(flag, value)?,
            "--points" => spec.points = number(flag, value)?,
            "--t-max" => spec.t_max_ms = Some(number(flag, value)?),
            "--seed" => spec.seed = number(flag, value)?,
            "--sloppy" => spec.sloppy_quorum = true,
            _ => spec.failure_rate = number(flag, value)?,
        }
    }
    spec.validate()?;
    Ok(spec)
}

fn partitioning_spec(flags: &[String]) -> Result<PartitioningSpec, String> {
    let known = ["--nodes", "--n", "--keys", "--tokens", "--seed"];
    let mut spec = PartitioningSpec::default();
    for (flag, value) in flag_pairs(flags, &known)? {
        match flag {
            "--nodes" => spec.nodes = number(flag, value)?,
            "--n" => spec.n = number(flag, value)?,
            "--keys" => spec.keys = number(flag, value)?,
            "--seed" => spec.seed = number(flag, value)?,
            _ => {
                spec.tokens =
                    value.split(',').map(|t| number(flag, t.trim())).collect::<Result<_, _>>()?
            }
        }
    }
    spec.validate()?;
    Ok(spec)
}

fn divergence_spec(flags: &[String]) -> Result<DivergenceSpec, String> {
    let known = [
        "--nodes",
        "--n",
        "--r",
        "--w",
        "--clients",
        "--carts",
        "--think",
        "--failure-rate",
        "--period",
        "--seconds",
        "--latency",
        "--seed",
    ];
    let mut spec = DivergenceSpec::default();
    for (flag, value) in flag_pairs(flags, &known)? {
        match flag {
            "--nodes" => spec.nodes = number(flag, value)?,
            "--n" => spec.n = number(flag, value)?,
            "--r" => spec.r = number(flag, value)?,
            "--w" => spec.w = number(flag, value)?,
            "--clients" => spec.clients = number(flag, value)?,
            "--carts" => spec.carts = number(flag, value)?,
            "--think" => spec.think_ms = number(flag, value)?,
            "--failure-rate" => spec.failure_rate = number(flag, value)?,
            "--period" => spec.period_ms = number(flag, value)?,
            "--seconds" => spec.seconds = number(flag, value)?,
            "--latency" => spec.latency = latency(value)?,
            _ => spec.seed = number(flag, value)?,
        }
    }
    spec.validate()?;
    Ok(spec)
}

fn coordination_spec(flags: &[String]) -> Result<CoordinationSpec, String> {
    let known = [
        "--nodes",
        "--n",
        "--r",
        "--w",
        "--keys",
        "--ops",
        "--interval",
        "--poll",
        "--latency",
        "--seed",
    ];
    let mut spec = CoordinationSpec::default();
    for (flag, value) in flag_pairs(flags, &known)? {
        match flag {
            "--nodes" => spec.nodes = number(flag, value)?,
            "--n" => spec.n = number(flag, value)?,
            "--r" => spec.r = number(flag, value)?,
            "--w" => spec.w = number(flag, value)?,
            "--keys" => spec.keys = number(flag, value)?,
            "--ops" => spec.ops = number(flag, value)?,
            "--interval" => spec.interval_ms = number(flag, value)?,
            "--poll" => spec.poll_ms = number(flag, value)?,
            "--latency" => spec.latency = latency(value)?,
            _ => spec.seed = number(flag, value)?,
        }
    }
    spec.validate()?;
    Ok(spec)
}
