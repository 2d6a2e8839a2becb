//! Random values from the thread's CSPRNG (ChaCha, seeded from the OS).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};
use std::fmt::Write;

pub(super) fn random_bytes(count: usize) -> Vec<u8> {
    let mut bytes = vec![0; count];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// `byte_count` random bytes as lowercase hex (twice as many characters).
pub(super) fn random_hex(byte_count: usize) -> String {
    hex(&random_bytes(byte_count))
}

/// An opaque, unguessable token (authorization codes, refresh tokens): 256 bits, base64url.
pub(super) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// A one-time code of `length` decimal digits.
pub(super) fn random_digits(length: usize) -> String {
    let mut rng = rand::rng();
    (0..length).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_have_the_asked_shape() {
        assert_eq!(random_hex(12).len(), 24);
        assert!(random_hex(12).bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(random_token().len(), 43);
        let code = random_digits(6);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(random_token(), random_token());
    }

    #[test]
    fn hex_is_lowercase_and_zero_padded() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab]), "000fab");
    }
}
