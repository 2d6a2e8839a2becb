//! How many codes a user may be sent: at most `max` in any rolling hour.

use super::Timestamp;
use std::time::Duration;

pub const SEND_WINDOW: Duration = Duration::from_secs(3600);

/// The sends still inside the window at `now`, oldest first.
pub fn recent_sends(sends: &[Timestamp], now: Timestamp) -> Vec<Timestamp> {
    let mut recent: Vec<Timestamp> = sends.iter().copied().filter(|sent| sent.plus(SEND_WINDOW) > now).collect();
    recent.sort();
    recent
}

/// Admits one more send at `now`: the sends to store, or when the next one will be allowed.
pub fn admit_send(sends: &[Timestamp], now: Timestamp, max_per_hour: u32) -> Result<Vec<Timestamp>, Timestamp> {
    let mut recent = recent_sends(sends, now);
    if recent.len() >= max_per_hour as usize {
        let frees_up = recent[recent.len() - max_per_hour as usize];
        return Err(frees_up.plus(SEND_WINDOW));
    }
    recent.push(now);
    Ok(recent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_unix_millis(minutes * 60_000)
    }

    #[test]
    fn five_sends_an_hour_then_wait_for_the_oldest_to_age_out() {
        let mut sends = Vec::new();
        for minute in [0, 10, 20, 30, 40] {
            sends = admit_send(&sends, at(minute), 5).unwrap();
        }
        assert_eq!(admit_send(&sends, at(50), 5), Err(at(60)));
        assert_eq!(admit_send(&sends, at(59), 5), Err(at(60)));
        let after = admit_send(&sends, at(60), 5).unwrap();
        assert_eq!(after, vec![at(10), at(20), at(30), at(40), at(60)], "the oldest aged out");
    }
}
