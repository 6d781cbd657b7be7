//! The clients' operations (§4.1): a get or a put through a node the client chooses, the
//! answer it gets (remembered by the client: `sim::clients`), and giving up when no answer
//! comes.

use super::World;
use crate::core::clock::VectorClock;
use crate::core::message::{ClientReply, ClientRequest, OpId};
use crate::core::request::ForwardedPut;
use crate::core::{Key, NodeId, Time, Value, MS};
use crate::sim::clients::Client;
use crate::sim::history::History;
use crate::sim::trace::{Call, Event, OpKind};

/// A client operation and, once known, its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct OpRecord {
    pub client: Key,
    pub kind: OpKind,
    pub key: Key,
    pub via: NodeId,
    pub started: Time,
    /// When it finished (answered, or the client gave up); None while it is open.
    pub finished: Option<Time>,
    /// The answer: None while open, and always None when the world keeps no finished
    /// operations (see [`World::keep_finished_ops`]).
    pub outcome: Option<Box<ClientReply>>,
    /// The value a put asked to store (None for a get).
    pub value: Option<Value>,
}

impl World {
    /// Every client operation so far, oldest first; `OpId(i)` is entry i - 1. (If finished
    /// ones are not kept, only the latest are held: see [`History::first_index`].)
    pub fn ops(&self) -> &History<OpRecord> {
        &self.ops
    }

    /// One client operation (None if unknown, or finished and no longer kept).
    pub fn op(&self, op: OpId) -> Option<&OpRecord> {
        self.ops.get(self.op_index(op)?)
    }

    pub(super) fn op_index(&self, op: OpId) -> Option<usize> {
        usize::try_from(op.0.checked_sub(1)?).ok()
    }

    /// Whether to keep the record of every finished operation (the default). A load that
    /// runs for long turns it off, so that memory stays bounded: a finished operation's
    /// record then notes when it finished but not its answer, and is dropped soon after.
    /// Counters, latencies and the clients' contexts are kept either way.
    pub fn keep_finished_ops(&mut self, keep: bool) {
        self.keep_finished_ops = keep;
    }

    /// Whether to keep the context of every client's latest get of every key (the
    /// default: a scenario's `"context": "last-read"` may name any key read before). A
    /// load of many clients over many keys turns it off, so that memory stays bounded by
    /// the number of clients: each client then keeps the context of its latest get only
    /// ([`Client::latest_read`]), and a put with the last-read context of another key
    /// gets the empty context. (Turning it off forgets the contexts kept so far.)
    pub fn keep_read_contexts(&mut self, keep: bool) {
        self.clients.keep_every_key(keep);
    }

    /// A client, by name, once it has had a successful get (what it remembers: §4.1).
    pub fn client(&self, name: &Key) -> Option<&Client> {
        self.clients.get(name)
    }

    /// The context of `client`'s latest successful get of `key` (empty if none).
    pub fn last_read_context(&self, client: impl Into<Key>, key: impl Into<Key>) -> VectorClock {
        let key = key.into();
        self.client(&client.into()).map(|c| c.context_for(&key)).unwrap_or_default()
    }

    /// A client calls `get(key)` on node `via` (§4.1). (A load issuing many operations
    /// passes names it keeps as [`Key`]s: no name is hashed again.)
    pub fn get(&mut self, client: impl Into<Key>, key: impl Into<Key>, via: NodeId) -> OpId {
        let key = key.into();
        let op = self.open_op(client.into(), OpKind::Get, key.clone(), None, via);
        self.deliver_request(via, ClientRequest::Get { op, key });
        op
    }

    /// A client calls `put(key, context, value)` on node `via` (§4.1).
    pub fn put(
        &mut self,
        client: impl Into<Key>,
        key: impl Into<Key>,
        value: &str,
        via: NodeId,
        context: VectorClock,
    ) -> OpId {
        let key = key.into();
        let value: Value = value.into();
        let op = self.open_op(client.into(), OpKind::Put, key.clone(), Some(&value), via);
        let request = ClientRequest::Put { op, key, value, context };
        self.deliver_request(via, request);
        op
    }

    /// How long a client waits for an answer before giving up by itself: long enough for
    /// a put forwarded to a silent coordinator to be passed to a second one (§4.5).
    pub fn client_timeout(&self) -> Time {
        2 * ForwardedPut::patience(&self.config) + 100 * MS
    }

    pub(super) fn open_op(
        &mut self,
        client: Key,
        kind: OpKind,
        key: Key,
        value: Option<&Value>,
        via: NodeId,
    ) -> OpId {
        let op = OpId(self.ops.len() as u64 + 1);
        let call = Call { op, client: &client, node: via, kind, key: &key, value };
        self.trace.request(self.now, call);
        let value = value.cloned();
        let record = OpRecord {
            client,
            kind,
            key,
            via,
            started: self.now,
            finished: None,
            outcome: None,
            value,
        };
        self.ops.push(record);
        self.open_ops += 1;
        if self.gives_up.is_none() {
            self.gives_up = self.oldest_gives_up();
        }
        op
    }

    pub(super) fn deliver_request(&mut self, via: NodeId, request: ClientRequest) {
        let op = match &request {
            ClientRequest::Get { op, .. } | ClientRequest::Put { op, .. } => *op,
        };
        if !self.is_up(via) {
            let error = format!("node {} is down", self.name(via));
            self.finish_op(None, ClientReply::Failed { op, error });
            return;
        }
        let mut out = std::mem::take(&mut self.effects);
        self.handling = Some(op);
        self.nodes[via.index()].on_client(self.now, request, &mut out);
        self.apply(via, out);
    }

    pub(super) fn finish_op(&mut self, node: Option<NodeId>, reply: ClientReply) {
        let op = reply.op();
        let Some(index) = self.op_index(op) else { return };
        let Some(record) = self.ops.get(index) else { return };
        if record.finished.is_some() {
            return; // a late answer after the client gave up
        }
        let ok = !matches!(reply, ClientReply::Failed { .. });
        let latency = self.now - record.started;
        match (&reply, record.kind) {
            (ClientReply::Got { versions, context, .. }, _) => {
                self.metrics.gets_ok += 1;
                self.metrics.get_latencies.push(latency);
                if versions.len() > 1 {
                    self.metrics.gets_with_siblings += 1;
                }
                self.clients.remember_read(&record.client, op, &record.key, context);
            }
            (ClientReply::Put { .. }, _) => {
                self.metrics.puts_ok += 1;
                self.metrics.put_latencies.push(latency);
            }
            (ClientReply::Failed { .. }, OpKind::Get) => self.metrics.gets_failed += 1,
            (ClientReply::Failed { .. }, OpKind::Put) => self.metrics.puts_failed += 1,
        }
        self.trace.push(self.now, Event::Reply { op, node, ok });
        let record = self.ops.get_mut(index).expect("looked up above");
        record.finished = Some(self.now);
        if self.keep_finished_ops {
            record.outcome = Some(Box::new(reply));
        }
        self.open_ops -= 1;
        while self.op(self.first_open).is_some_and(|r| r.finished.is_some()) {
            self.first_open.0 += 1;
        }
        self.gives_up = self.oldest_gives_up();
        if !self.keep_finished_ops {
            self.drop_finished_ops();
        }
    }

    /// Lets go of the finished operations before the oldest open one (when they are not
    /// kept), a chunk at a time.
    pub(super) fn drop_finished_ops(&mut self) {
        let oldest_open = self.op_index(self.first_open).unwrap_or(0);
        self.ops.forget_before(oldest_open);
    }

    /// When the client of the oldest open operation gives up waiting, if any is open.
    pub(super) fn oldest_gives_up(&self) -> Option<Time> {
        let oldest = self.op(self.first_open).filter(|r| r.finished.is_none())?;
        Some(oldest.started + self.client_timeout())
    }
}
