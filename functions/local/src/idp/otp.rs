//! Passwordless one-time codes: one live code per destination, the latest sent.

use pod_shared::domain::Channel;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How long a code may be used after it was sent.
pub(super) const OTP_LIFETIME: Duration = Duration::from_secs(180);
/// Wrong guesses after which a code is void.
const MAX_WRONG_ATTEMPTS: u32 = 3;

struct PendingCode {
    code: String,
    expires_at: Instant,
    wrong_attempts: u32,
}

/// What a redeemed code was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Redeemed {
    /// The live code: now used up.
    Right,
    /// Not the live code (or no code was sent, or it was used or voided).
    Wrong,
    /// The code sent last has run out (Auth0: "The verification code has expired.").
    Expired,
}

/// The codes waiting to be used, by (connection, normalized address).
#[derive(Default)]
pub(super) struct OtpStore {
    pending: HashMap<(Channel, String), PendingCode>,
    /// Every code ever checked, right or wrong: what an attacker's guesses cost here.
    checked: u64,
}

impl OtpStore {
    /// Records `code` as the one code for this destination, voiding any earlier one.
    pub fn issue(&mut self, channel: Channel, address: &str, code: String, now: Instant) {
        let pending = PendingCode { code, expires_at: now + OTP_LIFETIME, wrong_attempts: 0 };
        self.pending.insert((channel, address.to_string()), pending);
    }

    /// How many codes were checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Every pending code runs out at `now`.
    pub fn expire_all(&mut self, now: Instant) {
        for pending in self.pending.values_mut() {
            pending.expires_at = now;
        }
    }

    /// Whether `otp` is the live code for this destination. A right code is
    /// used up; a wrong one counts an attempt, and the last allowed wrong
    /// attempt voids the code.
    pub fn redeem(&mut self, channel: Channel, address: &str, otp: &str, now: Instant) -> Redeemed {
        self.checked += 1;
        let key = (channel, address.to_string());
        let Some(pending) = self.pending.get_mut(&key) else { return Redeemed::Wrong };
        if now >= pending.expires_at {
            self.pending.remove(&key);
            return Redeemed::Expired;
        }
        if bool::from(pending.code.as_bytes().ct_eq(otp.as_bytes())) {
            self.pending.remove(&key);
            return Redeemed::Right;
        }
        pending.wrong_attempts += 1;
        if pending.wrong_attempts >= MAX_WRONG_ATTEMPTS {
            self.pending.remove(&key);
        }
        Redeemed::Wrong
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "+14155550121";

    fn store_with(code: &str, now: Instant) -> OtpStore {
        let mut store = OtpStore::default();
        store.issue(Channel::Sms, PHONE, code.into(), now);
        store
    }

    #[test]
    fn a_right_code_works_once() {
        let now = Instant::now();
        let mut store = store_with("4217", now);
        assert_eq!(store.redeem(Channel::Sms, PHONE, "4217", now), Redeemed::Right);
        assert_ne!(store.redeem(Channel::Sms, PHONE, "4217", now), Redeemed::Right);
    }

    #[test]
    fn codes_belong_to_one_destination_and_channel() {
        let now = Instant::now();
        let mut store = store_with("4217", now);
        assert_ne!(store.redeem(Channel::Email, PHONE, "4217", now), Redeemed::Right);
        assert_ne!(store.redeem(Channel::Sms, "+14155550122", "4217", now), Redeemed::Right);
        assert_eq!(store.redeem(Channel::Sms, PHONE, "4217", now), Redeemed::Right);
    }

    #[test]
    fn only_the_latest_code_counts() {
        let now = Instant::now();
        let mut store = store_with("1111", now);
        store.issue(Channel::Sms, PHONE, "2222".into(), now);
        assert_ne!(store.redeem(Channel::Sms, PHONE, "1111", now), Redeemed::Right);
        assert_eq!(store.redeem(Channel::Sms, PHONE, "2222", now), Redeemed::Right);
    }

    #[test]
    fn codes_expire() {
        let now = Instant::now();
        let mut store = store_with("4217", now);
        assert_eq!(store.redeem(Channel::Sms, PHONE, "4217", now + OTP_LIFETIME), Redeemed::Expired);
        let mut store = store_with("4217", now);
        assert_eq!(
            store.redeem(Channel::Sms, PHONE, "4217", now + OTP_LIFETIME - Duration::from_secs(1)),
            Redeemed::Right
        );
    }

    #[test]
    fn the_third_wrong_attempt_voids_the_code() {
        let now = Instant::now();
        let mut store = store_with("4217", now);
        assert_ne!(store.redeem(Channel::Sms, PHONE, "0000", now), Redeemed::Right);
        assert_ne!(store.redeem(Channel::Sms, PHONE, "0001", now), Redeemed::Right);
        assert_eq!(
            store.redeem(Channel::Sms, PHONE, "4217", now),
            Redeemed::Right,
            "two wrong attempts leave the code usable"
        );

        let mut store = store_with("4217", now);
        for wrong in ["0000", "0001", "0002"] {
            assert_ne!(store.redeem(Channel::Sms, PHONE, wrong, now), Redeemed::Right);
        }
        assert_ne!(store.redeem(Channel::Sms, PHONE, "4217", now), Redeemed::Right);
    }
}
