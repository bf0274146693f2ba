//! Stable resource ids: a UUID named by what the record is, so a second export of the same
//! record gives the same `fullUrl`s (a receiving system can then update instead of duplicate).

use sha2::{Digest, Sha256};

/// A UUID (RFC 9562 version 8, "custom") from the first 16 bytes of SHA-256 of `name`. Version
/// 5 would fix SHA-1; version 8 leaves the hash to us and keeps the format every reader accepts.
pub fn stable_uuid(name: &str) -> String {
    let hash = Sha256::digest(format!("retrostride-fhir/{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_uuid_other_name_other_uuid() {
        assert_eq!(stable_uuid("patient/1"), stable_uuid("patient/1"));
        assert_ne!(stable_uuid("patient/1"), stable_uuid("patient/2"));
    }

    #[test]
    fn is_a_version_8_uuid() {
        let id = stable_uuid("session/1/7");
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'), "{id}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{id}");
        assert!(
            id.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
