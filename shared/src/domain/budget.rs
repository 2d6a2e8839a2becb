//! The account-level guess budget: how many wrong codes a user's account
//! survives, across all of its orders and enrollments.
//!
//! ```text
//!            wrong code (failures < pause_after)
//!          ┌──────────┐
//!          ▼          │
//!  Open ──────────────┘──wrong code (failures ≥ pause_after)──▶ Paused{until}
//!   ▲  ▲                                                         │  │
//!   │  └───────────────────────── cooldown over ─────────────────┘  │
//!   │                                                               │ wrong code after
//!   │ right code (resets)   unlock in the web app                   ▼ (failures = lock_after)
//!   └────────────────────────────◀──────────────────────────── Locked
//! ```
//!
//! A guess is counted *before* the code is checked ([`BudgetChange::Reserve`]):
//! the reservation is one conditional write that takes the failure, and the pause
//! or lock a wrong code would bring, up front. So however many guesses arrive at
//! once, none is checked past a block. A right code then resets the count
//! ([`BudgetChange::Succeed`]); a check that never happened (the verifier was
//! unreachable, the provider's code had expired) gives the guess back
//! ([`BudgetChange::Refund`]). Expiry and cancelling never reset anything.

use super::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The growing cooldowns of successive pauses; the last one repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cooldowns(Vec<Duration>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetPolicyError {
    #[error("at least one cooldown is needed")]
    NoCooldown,
    #[error("a cooldown must be at least one second")]
    ZeroCooldown,
    #[error("pause after 1 to 5 consecutive wrong codes (PSD2 RTS Art. 4 allows at most 5)")]
    PauseAfter,
    #[error("lock after more wrong codes than pause after, and at most 100 (NIST SP 800-63B)")]
    LockAfter,
}

impl Cooldowns {
    pub fn new(steps: Vec<Duration>) -> Result<Self, BudgetPolicyError> {
        if steps.is_empty() {
            return Err(BudgetPolicyError::NoCooldown);
        }
        if steps.iter().any(|d| d.as_secs() == 0) {
            return Err(BudgetPolicyError::ZeroCooldown);
        }
        Ok(Self(steps))
    }

    /// The cooldown of the pause that follows `pauses` earlier ones.
    pub fn nth(&self, pauses: u32) -> Duration {
        let index = (pauses as usize).min(self.0.len() - 1);
        self.0[index]
    }

    pub fn as_slice(&self) -> &[Duration] {
        &self.0
    }
}

impl Default for Cooldowns {
    /// 15 minutes, 1 hour, 4 hours, 24 hours.
    fn default() -> Self {
        Self([900, 3600, 4 * 3600, 24 * 3600].map(Duration::from_secs).to_vec())
    }
}

/// How many consecutive wrong codes pause and lock voice ordering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetPolicy {
    pause_after: u32,
    lock_after: u32,
    cooldowns: Cooldowns,
}

impl BudgetPolicy {
    pub fn new(pause_after: u32, lock_after: u32, cooldowns: Cooldowns) -> Result<Self, BudgetPolicyError> {
        if !(1..=5).contains(&pause_after) {
            return Err(BudgetPolicyError::PauseAfter);
        }
        if lock_after <= pause_after || lock_after > 100 {
            return Err(BudgetPolicyError::LockAfter);
        }
        Ok(Self { pause_after, lock_after, cooldowns })
    }

    /// Consecutive wrong codes after which ordering pauses (`ACCOUNT_MAX_FAILURES`).
    pub fn pause_after(&self) -> u32 {
        self.pause_after
    }

    /// Consecutive wrong codes after which ordering locks until the owner unlocks it
    /// (`ACCOUNT_LOCK_FAILURES`): the most guesses anyone gets before the owner acts.
    pub fn lock_after(&self) -> u32 {
        self.lock_after
    }

    pub fn cooldowns(&self) -> &Cooldowns {
        &self.cooldowns
    }

    /// The longest it takes to use up the whole budget: every pause waited out.
    pub fn time_to_lock(&self) -> Duration {
        (0..self.lock_after - self.pause_after).map(|pause| self.cooldowns.nth(pause)).sum()
    }
}

impl Default for BudgetPolicy {
    /// 5 wrong codes pause, 10 lock; pauses of 15 min, 1 h, 4 h, 24 h.
    fn default() -> Self {
        Self { pause_after: 5, lock_after: 10, cooldowns: Cooldowns::default() }
    }
}

/// A user's guess budget as stored. `version` grows with every write, so a
/// store can make each change conditional on the state it was computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuessBudget {
    /// Wrong codes since the last right one (reserved guesses count until settled).
    pub failures: u32,
    /// Pauses since the last right code: each one's cooldown is longer.
    pub pauses: u32,
    pub paused_until: Option<Timestamp>,
    pub locked_at: Option<Timestamp>,
    pub version: u64,
}

/// Why no guess may be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    #[error("voice ordering is paused until {until} after too many wrong codes")]
    Paused { until: Timestamp },
    #[error("voice ordering is locked after too many wrong codes; the owner can unlock it in the web app")]
    Locked,
}

/// Where the budget stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetState {
    Open { failures: u32 },
    Paused { until: Timestamp, failures: u32 },
    Locked { since: Timestamp },
}

/// One change to a budget, as a store applies it atomically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetChange {
    /// Take one guess before checking a code, with the block a wrong code would bring.
    Reserve { now: Timestamp, policy: BudgetPolicy },
    /// The reserved guess was right: the count, the pauses and any block are cleared.
    Succeed,
    /// The reserved guess (taken from `reserved`, the budget before it) was never checked.
    Refund { reserved: GuessBudget },
    /// A guess taken far from any block (whose budget before is not known) was never checked:
    /// the count goes back, any block since stays (the safe side).
    GiveBack,
    /// The signed-in owner unlocks voice ordering: everything is cleared.
    Unlock,
}

/// What one reserved guess will mean if the code turns out wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfWrong {
    /// Ordering stays open.
    Open,
    /// Ordering is paused until then; this many more wrong codes (after it) lock it.
    Paused { until: Timestamp, before_lock: u32 },
    /// Ordering is locked until the owner unlocks it.
    Locked,
}

impl GuessBudget {
    pub fn state_at(&self, now: Timestamp) -> BudgetState {
        if let Some(since) = self.locked_at {
            return BudgetState::Locked { since };
        }
        match self.paused_until {
            Some(until) if now < until => BudgetState::Paused { until, failures: self.failures },
            _ => BudgetState::Open { failures: self.failures },
        }
    }

    /// Refuses when no guess may be made at `now`.
    pub fn check_open(&self, now: Timestamp) -> Result<(), Blocked> {
        match self.state_at(now) {
            BudgetState::Open { .. } => Ok(()),
            BudgetState::Paused { until, .. } => Err(Blocked::Paused { until }),
            BudgetState::Locked { .. } => Err(Blocked::Locked),
        }
    }

    /// The budget after `change`, or why it is refused. Pure: the store writes the result
    /// only if the stored budget still has `self.version`.
    pub fn apply(&self, change: &BudgetChange) -> Result<GuessBudget, Blocked> {
        let mut next = match change {
            BudgetChange::Reserve { now, policy } => {
                self.check_open(*now)?;
                let mut next = self.clone();
                next.failures += 1;
                if next.failures >= policy.lock_after {
                    next.locked_at = Some(*now);
                    next.paused_until = None;
                } else if next.failures >= policy.pause_after {
                    next.paused_until = Some(now.plus(policy.cooldowns.nth(self.pauses)));
                    next.pauses += 1;
                }
                next
            }
            BudgetChange::Succeed | BudgetChange::Unlock => GuessBudget::default(),
            BudgetChange::Refund { reserved } => {
                if self.version == reserved.version + 1 {
                    // Nothing happened since the reservation: as if it never was.
                    reserved.clone()
                } else {
                    // Others guessed since: give back the count, keep any block (the safe side).
                    self.given_back()
                }
            }
            BudgetChange::GiveBack => self.given_back(),
        };
        next.version = self.version + 1;
        Ok(next)
    }

    /// One guess fewer counted, any block kept.
    fn given_back(&self) -> GuessBudget {
        GuessBudget { failures: self.failures.saturating_sub(1), ..self.clone() }
    }

    /// What the guess that produced this budget (by [`BudgetChange::Reserve`]) means if wrong.
    pub fn if_wrong(&self, policy: &BudgetPolicy) -> IfWrong {
        if self.locked_at.is_some() {
            IfWrong::Locked
        } else if let Some(until) = self.paused_until.filter(|_| self.failures >= policy.pause_after) {
            IfWrong::Paused { until, before_lock: policy.lock_after.saturating_sub(self.failures) }
        } else {
            IfWrong::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_unix_millis(1_800_000_000_000 + minutes * 60_000)
    }

    fn reserve(budget: &GuessBudget, now: Timestamp) -> Result<GuessBudget, Blocked> {
        budget.apply(&BudgetChange::Reserve { now, policy: BudgetPolicy::default() })
    }

    #[test]
    fn five_wrong_codes_pause_for_fifteen_minutes_and_each_pause_is_longer() {
        let policy = BudgetPolicy::default();
        let mut budget = GuessBudget::default();
        for n in 1..=4 {
            budget = reserve(&budget, at(0)).unwrap();
            assert_eq!((budget.failures, budget.if_wrong(&policy)), (n, IfWrong::Open));
        }
        budget = reserve(&budget, at(0)).unwrap();
        assert_eq!(budget.if_wrong(&policy), IfWrong::Paused { until: at(15), before_lock: 5 });
        assert_eq!(reserve(&budget, at(14)), Err(Blocked::Paused { until: at(15) }));
        budget = reserve(&budget, at(15)).unwrap();
        assert_eq!(budget.if_wrong(&policy), IfWrong::Paused { until: at(15 + 60), before_lock: 4 });
        budget = reserve(&budget, at(75)).unwrap();
        assert_eq!(budget.paused_until, Some(at(75 + 240)));
        budget = reserve(&budget, at(315)).unwrap();
        assert_eq!(budget.paused_until, Some(at(315 + 1440)));
        budget = reserve(&budget, at(1755)).unwrap();
        assert_eq!(budget.paused_until, Some(at(1755 + 1440)), "the last cooldown repeats");
        assert_eq!(budget.if_wrong(&policy), IfWrong::Paused { until: at(3195), before_lock: 1 });
        budget = reserve(&budget, at(3195)).unwrap();
        assert_eq!(budget.if_wrong(&policy), IfWrong::Locked);
        assert_eq!(budget.failures, 10);
        assert_eq!(reserve(&budget, at(100_000)), Err(Blocked::Locked), "a lock never times out");
        assert_eq!(budget.state_at(at(100_000)), BudgetState::Locked { since: at(3195) });
    }

    #[test]
    fn a_right_code_or_an_unlock_clears_everything() {
        let mut budget = GuessBudget::default();
        for _ in 0..5 {
            budget = reserve(&budget, at(0)).unwrap();
        }
        let cleared = budget.apply(&BudgetChange::Succeed).unwrap();
        assert_eq!((cleared.failures, cleared.pauses, cleared.paused_until), (0, 0, None));
        assert_eq!(cleared.version, budget.version + 1, "every write moves the version");
        let mut locked = GuessBudget { failures: 10, locked_at: Some(at(0)), ..GuessBudget::default() };
        locked = locked.apply(&BudgetChange::Unlock).unwrap();
        assert_eq!(locked.state_at(at(1)), BudgetState::Open { failures: 0 });
    }

    #[test]
    fn a_guess_given_back_takes_one_off_the_count_and_keeps_any_block() {
        let mut budget = GuessBudget::default();
        for _ in 0..5 {
            budget = reserve(&budget, at(0)).unwrap();
        }
        let paused = budget.paused_until;
        let given = budget.apply(&BudgetChange::GiveBack).unwrap();
        assert_eq!((given.failures, given.paused_until, given.version), (4, paused, budget.version + 1));
        assert_eq!(given.check_open(at(1)), Err(Blocked::Paused { until: at(15) }), "the pause stays");
        let none = GuessBudget::default().apply(&BudgetChange::GiveBack).unwrap();
        assert_eq!(none.failures, 0, "never below zero");
    }

    #[test]
    fn a_refund_undoes_only_its_own_reservation() {
        let before = GuessBudget { failures: 4, version: 7, ..GuessBudget::default() };
        let reserved = reserve(&before, at(0)).unwrap();
        assert!(reserved.paused_until.is_some());
        let refunded = reserved.apply(&BudgetChange::Refund { reserved: before.clone() }).unwrap();
        assert_eq!((refunded.failures, refunded.paused_until, refunded.pauses), (4, None, 0));
        assert_eq!(refunded.version, 9);
        // Another guess came in between: only the count goes back, the block stays.
        let later = reserve(&reserved, at(15)).unwrap();
        let refunded = later.apply(&BudgetChange::Refund { reserved: before }).unwrap();
        assert_eq!(refunded.failures, 5);
        assert_eq!(refunded.paused_until, later.paused_until);
    }

    #[test]
    fn policies_keep_to_psd2_and_nist() {
        assert_eq!(BudgetPolicy::new(6, 10, Cooldowns::default()), Err(BudgetPolicyError::PauseAfter));
        assert_eq!(BudgetPolicy::new(0, 10, Cooldowns::default()), Err(BudgetPolicyError::PauseAfter));
        assert_eq!(BudgetPolicy::new(5, 5, Cooldowns::default()), Err(BudgetPolicyError::LockAfter));
        assert_eq!(BudgetPolicy::new(5, 101, Cooldowns::default()), Err(BudgetPolicyError::LockAfter));
        assert_eq!(Cooldowns::new(vec![]), Err(BudgetPolicyError::NoCooldown));
        assert_eq!(Cooldowns::new(vec![Duration::ZERO]), Err(BudgetPolicyError::ZeroCooldown));
        assert_eq!(BudgetPolicy::default().time_to_lock(), Duration::from_secs((15 + 60 + 240 + 1440 + 1440) * 60));
    }
}
