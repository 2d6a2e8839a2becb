//! One request, few durable commits: within [`one_request`], the embedded store commits each
//! write at once (visible to everyone) but leaves it to reach the disk until the request is
//! about to tell someone something: a code's send, a notice, a receipt, or its answer. There
//! [`settle`] makes every write of the request durable in one flush (shared with any other
//! writer's). An order writes all of itself ahead of its code's send (the send reserved, the
//! supersede, the entry and its answer: [`crate::ports::OrderStore::insert_reserving_send`]), so
//! it waits for one durable commit, before the send, and none after; a code check waits for
//! one, before its answer, however many store methods they ran
//! (`functions/local/tests/e2e/round_trips.rs` pins the counts). A send that fails takes the
//! order back ([`crate::ports::OrderStore::withdraw_unsent`]: a second commit, only then).
//! That one durable commit is the request's last write itself where the store knows a settle
//! follows it (the order's write ahead of its send, a code check's last write) and no other
//! writer is queued: it commits durably in place, covering the request's earlier commits, and
//! the settle then finds it on disk. While others are queued it is left to the flush they share.
//!
//! What this keeps true:
//! - Nothing a request did is heard of before it is on disk: every effect that reaches a
//!   person (a code's send, a notice, a receipt, the answer) is preceded by [`settle`], and
//!   [`one_request`] settles before it returns. A code's check at the provider is not: its
//!   verdict reaches no one but through those, so a crash between the check and the settle
//!   loses a guess whose verdict nobody heard (the provider still counts its own attempt).
//! - Another request never acts on what could still be undone: a read or write of another
//!   request waits until the commits it could see are durable (it runs the flush if need be);
//!   only the request's own writes are read before they are on disk.
//! - A crash before a settle loses only writes nobody was told of: redb reopens at its last
//!   durable commit, and every durable commit covers every commit before it.
//! - A crash between an order's flush and its code's send leaves the order pending, with its
//!   answer ("I sent a code") on the claim, and no code sent: what the user sees of a code lost
//!   on its way, and "send the code again" is the way on. Nothing is confirmed without a code.
//!
//! Outside [`one_request`] (and for a store without deferred writes, DynamoDB: its every
//! write is durable when it returns) [`settle`] does nothing and each write is durable
//! when its method returns, as before.

use crate::ports::StoreError;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Makes a store's commits durable up to a number (the embedded store's group commit).
pub(crate) trait DeferredCommits: Send + Sync {
    /// Returns once every commit up to `number` is on disk.
    fn make_durable(&self, number: u64) -> Result<(), StoreError>;
}

/// The writes one request left to reach the disk.
pub(crate) struct Scope {
    #[cfg_attr(not(feature = "embedded-store"), allow(dead_code))]
    id: u64,
    /// The store whose commits wait (the first that deferred any; another store's are durable
    /// when their method returns) and the newest of them.
    waiting: Mutex<Option<(Arc<dyn DeferredCommits>, u64)>>,
    /// What tells someone of the request's outcome once all of it is on disk ([`when_durable`]).
    afterwards: Mutex<Vec<Pin<Box<dyn Future<Output = ()> + Send>>>>,
}

impl Scope {
    /// Distinguishes this request's commits from everyone else's (never 0).
    #[cfg_attr(not(feature = "embedded-store"), allow(dead_code))]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Leaves commit `number` of `store` to the request's next settle. `false` when the
    /// request already waits for another store: then the caller makes it durable itself.
    pub(crate) fn defer(&self, store: &Arc<dyn DeferredCommits>, number: u64) -> bool {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        match waiting.as_mut() {
            None => {
                *waiting = Some((Arc::clone(store), number));
                true
            }
            Some((same, newest)) if Arc::ptr_eq(same, store) => {
                *newest = (*newest).max(number);
                true
            }
            Some(_) => false,
        }
    }
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

static NEXT_SCOPE: AtomicU64 = AtomicU64::new(1);

/// The request being run by [`one_request`], if any (what the embedded store defers to).
pub(crate) fn current() -> Option<Arc<Scope>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// Runs `request` with its store writes deferred to its settles, and settles once more at the
/// end: when this returns `Ok`, everything it wrote is on disk. `Err`: the last flush failed,
/// so what it wrote may not survive a crash; its answer must not be given.
pub async fn one_request<F: Future>(request: F) -> Result<F::Output, StoreError> {
    let scope = Arc::new(Scope {
        id: NEXT_SCOPE.fetch_add(1, Ordering::Relaxed),
        waiting: Mutex::new(None),
        afterwards: Mutex::new(Vec::new()),
    });
    // Boxed: a request's future is large, and nesting it here would double it on the stack.
    let request = Box::pin(request);
    let output = SCOPE.scope(Arc::clone(&scope), Box::pin(async { (request.await, settle().await) })).await;
    let afterwards = std::mem::take(&mut *scope.afterwards.lock().unwrap_or_else(PoisonError::into_inner));
    match output {
        (output, Ok(())) => {
            // Outside the scope: what they write is durable when it returns.
            for tell in afterwards {
                tell.await;
            }
            Ok(output)
        }
        (_, Err(error)) => {
            if !afterwards.is_empty() {
                tracing::error!(dropped = afterwards.len(), "not on disk: what would tell of it is not sent");
            }
            Err(error)
        }
    }
}

/// Runs `tell` once everything the current request wrote is on disk: at the end of
/// [`one_request`] (after its last settle, before it returns), or at once outside one. For
/// what tells someone of an outcome that the request's later writes are part of (a receipt
/// sent beside the answer), so that it costs no flush of its own.
///
/// With nothing of the request waiting for the disk (DynamoDB, or no write yet) it runs at
/// once, beside whatever the caller runs it with.
pub async fn when_durable(tell: impl Future<Output = ()> + Send + 'static) {
    let scope = current().filter(|scope| scope.waiting.lock().unwrap_or_else(PoisonError::into_inner).is_some());
    match scope {
        Some(scope) => scope.afterwards.lock().unwrap_or_else(PoisonError::into_inner).push(Box::pin(tell)),
        None => tell.await,
    }
}

/// Makes every write the current request made so far durable (one flush, or a share of one),
/// before it tells anyone of it. Outside [`one_request`], or with nothing left waiting, it
/// does nothing. The flush counts as one durable commit of the request
/// ([`crate::round_trips::note_durable_commit`]).
pub async fn settle() -> Result<(), StoreError> {
    let Some(scope) = current() else { return Ok(()) };
    let waiting = scope.waiting.lock().unwrap_or_else(PoisonError::into_inner).take();
    let Some((store, newest)) = waiting else { return Ok(()) };
    let flushed = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| store.make_durable(newest)),
        _ => store.make_durable(newest),
    };
    match flushed {
        Ok(()) => {
            crate::round_trips::note_durable_commit();
            Ok(())
        }
        Err(error) => {
            // Still not durable: a later settle tries again.
            scope.defer(&store, newest);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorded(Mutex<Vec<u64>>);

    impl DeferredCommits for Recorded {
        fn make_durable(&self, number: u64) -> Result<(), StoreError> {
            self.0.lock().unwrap().push(number);
            Ok(())
        }
    }

    struct Failing;

    impl DeferredCommits for Failing {
        fn make_durable(&self, _: u64) -> Result<(), StoreError> {
            Err(StoreError::Unavailable("disk full".into()))
        }
    }

    #[tokio::test]
    async fn outside_a_request_nothing_is_deferred_and_settling_does_nothing() {
        assert!(current().is_none());
        settle().await.unwrap();
    }

    #[tokio::test]
    async fn a_request_settles_its_newest_commit_once_and_again_at_its_end() {
        let store = Arc::new(Recorded::default());
        let target: Arc<dyn DeferredCommits> = store.clone();
        let ((), trips) = crate::round_trips::measure(async {
            one_request(async {
                let scope = current().unwrap();
                assert!(scope.defer(&target, 3));
                assert!(scope.defer(&target, 5));
                assert!(scope.defer(&target, 4));
                settle().await.unwrap();
                settle().await.unwrap(); // nothing left: no flush
                assert!(scope.defer(&target, 9));
            })
            .await
            .unwrap()
        })
        .await;
        assert_eq!(*store.0.lock().unwrap(), [5, 9]);
        assert_eq!(trips.durable_commits, 2);
    }

    #[tokio::test]
    async fn two_requests_are_two_scopes_and_a_second_store_is_not_deferred() {
        let first = one_request(async { current().unwrap().id() }).await.unwrap();
        let second = one_request(async { current().unwrap().id() }).await.unwrap();
        assert_ne!(first, second);
        let one: Arc<dyn DeferredCommits> = Arc::new(Recorded::default());
        let other: Arc<dyn DeferredCommits> = Arc::new(Recorded::default());
        one_request(async {
            let scope = current().unwrap();
            assert!(scope.defer(&one, 1));
            assert!(!scope.defer(&other, 2), "the caller makes another store's commit durable itself");
        })
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn what_tells_of_the_outcome_runs_after_the_last_settle_or_at_once_outside_a_request() {
        let store = Arc::new(Recorded::default());
        let target: Arc<dyn DeferredCommits> = store.clone();
        let told = Arc::new(Mutex::new(Vec::new()));
        let (recorded, heard) = (Arc::clone(&store), Arc::clone(&told));
        one_request(async {
            current().unwrap().defer(&target, 7);
            when_durable(async move {
                let flushed = recorded.0.lock().unwrap().clone();
                heard.lock().unwrap().push(flushed);
            })
            .await;
            assert!(told.lock().unwrap().is_empty(), "not before the request's end");
        })
        .await
        .unwrap();
        assert_eq!(*told.lock().unwrap(), [vec![7]], "after the flush of commit 7");
        let heard = Arc::clone(&told);
        when_durable(async move { heard.lock().unwrap().push(vec![]) }).await;
        assert_eq!(told.lock().unwrap().len(), 2, "outside a request: at once");
        let heard = Arc::clone(&told);
        one_request(async {
            when_durable(async move { heard.lock().unwrap().push(vec![]) }).await;
            assert_eq!(told.lock().unwrap().len(), 3, "nothing waits for the disk (DynamoDB): at once");
        })
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_failed_flush_fails_the_request_and_keeps_the_commit_waiting() {
        let failing: Arc<dyn DeferredCommits> = Arc::new(Failing);
        let settled = one_request(async {
            current().unwrap().defer(&failing, 1);
            let first = settle().await;
            assert!(first.is_err());
            assert!(current().unwrap().waiting.lock().unwrap().is_some(), "still waiting for the disk");
        })
        .await;
        assert_eq!(settled, Err(StoreError::Unavailable("disk full".into())));
    }
}
