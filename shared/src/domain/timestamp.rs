use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// A point in time, in milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub fn now() -> Self {
        let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Self(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }

    pub fn unix_millis(self) -> i64 {
        self.0
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// Whole seconds from `self` until `later` (zero if `later` is not later).
    pub fn seconds_until(self, later: Timestamp) -> u64 {
        u64::try_from(later.0.saturating_sub(self.0).max(0) / 1000).unwrap_or(0)
    }

    /// RFC 3339, e.g. `2026-11-25T06:44:21.123Z`.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| self.0.to_string())
    }
}

impl Timestamp {
    /// As a person reads it: "14:05 UTC on 1 Dec 2026".
    pub fn to_human(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| {
                t.format(time::macros::format_description!(
                    "[hour]:[minute] UTC on [day padding:none] [month repr:short] [year]"
                ))
                .ok()
            })
            .unwrap_or_else(|| self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_a_person_reads_it() {
        assert_eq!(Timestamp::from_unix_millis(1_764_598_500_000).to_human(), "14:15 UTC on 1 Dec 2025");
    }

    #[test]
    fn formats_rfc3339_and_adds_durations() {
        let t = Timestamp::from_unix_millis(1_764_052_800_000);
        assert_eq!(t.to_rfc3339(), "2025-11-25T06:40:00Z");
        let later = t.plus(Duration::from_secs(300));
        assert_eq!(t.seconds_until(later), 300);
        assert_eq!(later.seconds_until(t), 0);
    }
}
