//! Group commit for the embedded store: every commit is durable before its caller hears of it,
//! and writers that commit at the same time share one flush to disk.
//!
//! Each store method still runs as one redb write transaction (redb serialises them). When no
//! other writer is waiting for redb's write lock, it commits durably ([`Durability::Immediate`],
//! one fsync), as without group commit. When others are waiting, it commits with
//! [`Durability::None`] (visible at once, on disk only after the next durable commit) and lets go
//! of the lock; before the method returns, [`GroupCommit::wait_until_durable`] makes sure a
//! durable commit has followed it: the first caller to find none under way runs one (an empty
//! write transaction), the last writer of a queue commits durably anyway, and everyone who
//! committed before shares it. Alone, a write costs one durable commit; eight at once pay for
//! one or two flushes instead of eight. A read waits too, until what it
//! could have seen is durable, so no answer rests on a commit a crash could still undo.
//!
//! After a crash redb reopens at the last durable commit: the non-durable commits since were
//! answered to no one.

use redb::{Database, Durability};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

thread_local! {
    /// The sequence number of the last commit this thread made (0: none since it was taken).
    static THIS_THREADS_COMMIT: Cell<u64> = const { Cell::new(0) };
}

#[derive(Debug, Default)]
struct Sequence {
    /// Commits made (non-durable), numbered from 1.
    committed: u64,
    /// Every commit up to this number is on disk.
    durable: u64,
    /// A durable commit is under way.
    flushing: bool,
    /// Commits not yet durable that a request left to its own settle ([`crate::durability`]),
    /// with the request's scope: that request reads them before they are on disk, no one else.
    deferred: Vec<(u64, u64)>,
}

impl Sequence {
    fn made_durable(&mut self, number: u64) {
        self.durable = self.durable.max(number);
        let durable = self.durable;
        self.deferred.retain(|(commit, _)| *commit > durable);
    }
}

/// The commit sequence of one database and who is flushing it.
#[derive(Debug, Default)]
pub(super) struct GroupCommit {
    sequence: Mutex<Sequence>,
    flushed: Condvar,
    /// Writers waiting for redb's write lock: while there are none, a commit is made durable
    /// in place (one commit, as without group commit); while there are some, it is left to
    /// the next flush, which they share.
    waiting_writers: AtomicUsize,
    /// Empty durable commits run to cover others (for the tests).
    flushes: AtomicUsize,
}

/// The database as store methods see it: reads as redb's, writes through [`Db::begin_write`].
pub(super) struct Db<'a> {
    pub(super) database: &'a Database,
    commits: &'a GroupCommit,
    /// The request whose writes are left to its settle, if any ([`crate::durability`]).
    scope: Option<u64>,
}

impl std::ops::Deref for Db<'_> {
    type Target = Database;
    fn deref(&self) -> &Database {
        self.database
    }
}

impl<'a> Db<'a> {
    #[cfg(test)]
    pub(super) fn new(database: &'a Database, commits: &'a GroupCommit) -> Self {
        Self { database, commits, scope: None }
    }

    /// The database as seen by the request with scope `scope`: its commits are deferred to it.
    pub(super) fn for_request(database: &'a Database, commits: &'a GroupCommit, scope: Option<u64>) -> Self {
        Self { database, commits, scope }
    }

    /// A write transaction whose commit is made durable before the store method returns.
    pub(super) fn begin_write(&self) -> Result<WriteTxn<'a>, String> {
        self.commits.waiting_writers.fetch_add(1, Ordering::SeqCst);
        let began = self.database.begin_write();
        self.commits.waiting_writers.fetch_sub(1, Ordering::SeqCst);
        let mut txn = began.map_err(|e| e.to_string())?;
        txn.set_durability(Durability::None).map_err(|e| e.to_string())?;
        Ok(WriteTxn { txn, commits: self.commits, scope: self.scope })
    }
}

/// A redb write transaction (everything but `commit` and `abort` through `Deref`).
pub(super) struct WriteTxn<'a> {
    txn: redb::WriteTransaction,
    commits: &'a GroupCommit,
    scope: Option<u64>,
}

impl std::ops::Deref for WriteTxn<'_> {
    type Target = redb::WriteTransaction;
    fn deref(&self) -> &redb::WriteTransaction {
        &self.txn
    }
}

impl WriteTxn<'_> {
    /// Commits and notes the commit's number for this thread's method: durably at once when no
    /// other writer is waiting and no request defers it, else without a flush, for the next
    /// flush (or the request's settle) to cover.
    pub(super) fn commit(self) -> Result<(), String> {
        self.commit_leaving_to_settle(true)
    }

    /// Commits the request's last write before it tells anyone of it (its settle follows
    /// next): durably in place when no other writer is waiting, as a write outside a request
    /// is, so that the settle finds it on disk and runs no empty flush of its own (one durable
    /// commit either way, and the one it would have run cost a fifth of an order's CPU). While
    /// others wait it is left to the flush they share, as [`commit`](Self::commit) leaves it.
    pub(super) fn commit_before_settle(self) -> Result<(), String> {
        self.commit_leaving_to_settle(false)
    }

    fn commit_leaving_to_settle(mut self, leave_to_settle: bool) -> Result<(), String> {
        // Numbered before the commit, while this transaction still holds redb's write lock: a
        // flush that counts it cannot begin its own write transaction until this one is done.
        let number = self.commits.next_number(self.scope);
        THIS_THREADS_COMMIT.with(|mine| mine.set(number));
        let deferred = leave_to_settle && self.scope.is_some();
        if deferred || self.commits.waiting_writers.load(Ordering::SeqCst) > 0 {
            return self.txn.commit().map_err(|e| e.to_string());
        }
        self.txn.set_durability(Durability::Immediate).map_err(|e| e.to_string())?;
        self.txn.commit().map_err(|e| e.to_string())?;
        // A durable commit makes every commit before it durable too.
        self.commits.durable_up_to(number);
        Ok(())
    }

    pub(super) fn abort(self) -> Result<(), String> {
        self.txn.abort().map_err(|e| e.to_string())
    }
}

impl GroupCommit {
    fn next_number(&self, scope: Option<u64>) -> u64 {
        let mut sequence = self.sequence.lock().unwrap_or_else(PoisonError::into_inner);
        sequence.committed += 1;
        let number = sequence.committed;
        if let Some(scope) = scope {
            sequence.deferred.push((number, scope));
        }
        number
    }

    fn durable_up_to(&self, number: u64) {
        let mut sequence = self.sequence.lock().unwrap_or_else(PoisonError::into_inner);
        sequence.made_durable(number);
        self.flushed.notify_all();
    }

    /// The newest commit a transaction begun now by the request `scope` (or by no request)
    /// could see that it must not act on before it is durable: the newest commit but the
    /// request's own deferred ones (a request reads its own writes before they are on disk).
    pub(super) fn visible_to(&self, scope: Option<u64>) -> u64 {
        let sequence = self.sequence.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(scope) = scope else { return sequence.committed };
        (sequence.durable + 1..=sequence.committed)
            .rev()
            .find(|number| !sequence.deferred.contains(&(*number, scope)))
            .unwrap_or(sequence.durable)
    }

    /// Takes the number of the commit this thread made in the method just run, if any.
    pub(super) fn take_this_threads_commit() -> u64 {
        THIS_THREADS_COMMIT.with(|mine| mine.replace(0))
    }

    /// Returns once every commit up to `number` is on disk; `Ok(true)` when it had to wait
    /// for (or run) a flush.
    pub(super) fn wait_until_durable(&self, database: &Database, number: u64) -> Result<bool, String> {
        let mut sequence = self.sequence.lock().unwrap_or_else(PoisonError::into_inner);
        if sequence.durable >= number {
            return Ok(false);
        }
        loop {
            if sequence.durable >= number {
                return Ok(true);
            }
            if sequence.flushing {
                sequence = self.flushed.wait(sequence).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            sequence.flushing = true;
            let covers = sequence.committed;
            drop(sequence);
            let flushed = flush(database);
            self.flushes.fetch_add(1, Ordering::Relaxed);
            sequence = self.sequence.lock().unwrap_or_else(PoisonError::into_inner);
            sequence.flushing = false;
            if flushed.is_ok() {
                sequence.made_durable(covers);
            }
            self.flushed.notify_all();
            flushed?;
        }
    }
}

/// One durable commit: every non-durable commit before it reaches the disk with it.
fn flush(database: &Database) -> Result<(), String> {
    let mut txn = database.begin_write().map_err(|e| e.to_string())?;
    txn.set_durability(Durability::Immediate).map_err(|e| e.to_string())?;
    txn.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, TableDefinition};

    const T: TableDefinition<u64, u64> = TableDefinition::new("t");

    fn write(db: &Db<'_>, key: u64) {
        let txn = db.begin_write().unwrap();
        txn.open_table(T).unwrap().insert(key, key).unwrap();
        txn.commit().unwrap();
    }

    /// [`write`], as a request's last write before its settle.
    fn write_before_settle(db: &Db<'_>, key: u64) {
        let txn = db.begin_write().unwrap();
        txn.open_table(T).unwrap().insert(key, key).unwrap();
        txn.commit_before_settle().unwrap();
    }

    #[test]
    fn a_lone_commit_is_durable_at_once_with_no_second_commit() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::create(dir.path().join("t.redb")).unwrap();
        let commits = GroupCommit::default();
        let db = Db::new(&database, &commits);
        write(&db, 1);
        let number = GroupCommit::take_this_threads_commit();
        assert_eq!(number, 1);
        assert!(!commits.wait_until_durable(&database, number).unwrap(), "durable when it returned");
        assert_eq!(commits.flushes.load(Ordering::Relaxed), 0, "no empty commit to flush it");
        assert_eq!(GroupCommit::take_this_threads_commit(), 0, "taken once");
    }

    #[test]
    fn a_commit_made_while_another_writer_waits_is_left_to_one_flush() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::create(dir.path().join("t.redb")).unwrap();
        let commits = GroupCommit::default();
        let db = Db::new(&database, &commits);
        commits.waiting_writers.fetch_add(1, Ordering::SeqCst); // as if one were queued
        write(&db, 1);
        write(&db, 2);
        commits.waiting_writers.fetch_sub(1, Ordering::SeqCst);
        let number = GroupCommit::take_this_threads_commit();
        assert_eq!(commits.sequence.lock().unwrap().durable, 0, "not durable yet");
        assert!(commits.wait_until_durable(&database, number).unwrap(), "it waited for a flush");
        assert_eq!(commits.flushes.load(Ordering::Relaxed), 1, "one flush covered both");
        assert!(!commits.wait_until_durable(&database, 1).unwrap(), "the first is durable too");
    }

    #[test]
    fn what_was_committed_before_a_flush_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.redb");
        {
            let database = Database::create(&path).unwrap();
            let commits = GroupCommit::default();
            let db = Db::new(&database, &commits);
            commits.waiting_writers.fetch_add(1, Ordering::SeqCst); // commits left to the flush
            for key in 1..=3 {
                write(&db, key);
            }
            commits.waiting_writers.fetch_sub(1, Ordering::SeqCst);
            commits.wait_until_durable(&database, GroupCommit::take_this_threads_commit()).unwrap();
            assert_eq!(commits.flushes.load(Ordering::Relaxed), 1);
        }
        let database = Database::create(&path).unwrap();
        let txn = database.begin_read().unwrap();
        let table = txn.open_table(T).unwrap();
        for key in 1..=3 {
            assert_eq!(table.get(key).unwrap().map(|v| v.value()), Some(key));
        }
    }

    #[test]
    fn a_requests_deferred_commits_are_its_own_to_read_and_anyone_elses_to_flush_first() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::create(dir.path().join("t.redb")).unwrap();
        let commits = GroupCommit::default();
        write(&Db::new(&database, &commits), 1); // durable in place: nothing waits
        let request = Db::for_request(&database, &commits, Some(7));
        write(&request, 2);
        write(&request, 3);
        assert_eq!(GroupCommit::take_this_threads_commit(), 3);
        assert_eq!(commits.sequence.lock().unwrap().durable, 1, "left to the request's settle");
        assert_eq!(commits.visible_to(Some(7)), 1, "the request reads its own writes without a flush");
        assert_eq!(commits.visible_to(Some(8)), 3, "another request waits for them");
        assert_eq!(commits.visible_to(None), 3, "and so does a write outside any request");
        // Another request's write lands between: the first request must not act on it unflushed.
        write(&Db::for_request(&database, &commits, Some(8)), 4);
        assert_eq!(commits.visible_to(Some(7)), 4);
        assert!(commits.wait_until_durable(&database, 4).unwrap(), "one flush");
        assert_eq!(commits.flushes.load(Ordering::Relaxed), 1);
        let sequence = commits.sequence.lock().unwrap();
        assert_eq!(sequence.durable, 4);
        assert!(sequence.deferred.is_empty(), "forgotten once durable");
    }

    #[test]
    fn a_requests_last_write_before_its_settle_is_durable_in_place_and_covers_its_earlier_ones() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::create(dir.path().join("t.redb")).unwrap();
        let commits = GroupCommit::default();
        let request = Db::for_request(&database, &commits, Some(7));
        write(&request, 1); // the claim: left to the settle
        assert_eq!(commits.sequence.lock().unwrap().durable, 0);
        write_before_settle(&request, 2);
        let number = GroupCommit::take_this_threads_commit();
        assert_eq!(number, 2);
        {
            let sequence = commits.sequence.lock().unwrap();
            assert_eq!(sequence.durable, 2, "durable in place, the claim with it");
            assert!(sequence.deferred.is_empty());
        }
        assert!(!commits.wait_until_durable(&database, number).unwrap(), "the settle finds it on disk");
        assert_eq!(commits.flushes.load(Ordering::Relaxed), 0, "no empty commit to flush it");
    }

    #[test]
    fn a_last_write_made_while_another_writer_waits_is_left_to_the_shared_flush() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::create(dir.path().join("t.redb")).unwrap();
        let commits = GroupCommit::default();
        let request = Db::for_request(&database, &commits, Some(7));
        commits.waiting_writers.fetch_add(1, Ordering::SeqCst); // as if one were queued
        write_before_settle(&request, 1);
        commits.waiting_writers.fetch_sub(1, Ordering::SeqCst);
        assert_eq!(commits.sequence.lock().unwrap().durable, 0, "not durable yet");
        assert_eq!(commits.visible_to(Some(7)), 0, "still the request's own to read");
        assert!(commits.wait_until_durable(&database, GroupCommit::take_this_threads_commit()).unwrap());
        assert_eq!(commits.flushes.load(Ordering::Relaxed), 1, "one flush, shared");
    }

    #[test]
    fn writers_at_the_same_time_share_flushes_and_each_returns_durable() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::create(dir.path().join("t.redb")).unwrap();
        let commits = GroupCommit::default();
        let flushes = std::sync::atomic::AtomicU64::new(0);
        std::thread::scope(|scope| {
            for writer in 0..8u64 {
                let (database, commits, flushes) = (&database, &commits, &flushes);
                scope.spawn(move || {
                    let db = Db::new(database, commits);
                    for n in 0..25 {
                        write(&db, writer * 1000 + n);
                        let number = GroupCommit::take_this_threads_commit();
                        if commits.wait_until_durable(database, number).unwrap() {
                            flushes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        let sequence = commits.sequence.lock().unwrap();
                        assert!(sequence.durable >= number, "returned before its commit was durable");
                    }
                });
            }
        });
        let sequence = commits.sequence.lock().unwrap();
        assert_eq!(sequence.committed, 200);
        assert_eq!(sequence.durable, 200);
    }
}
