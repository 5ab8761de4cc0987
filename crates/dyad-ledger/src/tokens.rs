//! Curator tokens: named bearer secrets that let the web API write to the ledger.
//!
//! Only a SHA-256 hash of each token is stored, so a copy of `ledger.sqlite` does not give
//! write access. A token is shown once, when created. Revoked tokens stay listed (with their
//! revocation time) and their names cannot be reused, because acts written with a token record
//! its name as `recorded_by`: one name must always mean one token.

use rusqlite::params;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Result, TokenError};
use crate::{now, schema, Ledger};

/// Prefix of every token, so a leaked one is recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "dyad_";

/// A token as listed: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// The name given at creation; recorded as `recorded_by` on the acts it writes.
    pub name: String,
    /// When it was created (UTC, RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// Hex SHA-256 of a token, as stored.
fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a token name: it is shown in the ledger's history, so keep it plain.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | ' '));
    if !ok || name.trim() != name {
        return Err(TokenError::BadName(name.to_string()).into());
    }
    Ok(())
}

impl Ledger {
    /// Whether the tokens table is there to read: from version 4 always; before, a home got it
    /// with its first token, and one without it has none.
    fn has_tokens(&self) -> Result<bool> {
        Ok(self.read_version() >= 4 || schema::has_table(&self.conn, "tokens")?)
    }

    /// Creates a token called `name` and returns it; only its hash is kept, so this is the
    /// one time it can be read. A refused name leaves the home as it was (not even migrated).
    pub fn create_token(&mut self, name: &str) -> Result<String> {
        check_name(name)?;
        if let Some(t) = self.tokens()?.into_iter().find(|t| t.name == name) {
            return Err(match t.revoked_at {
                None => TokenError::Exists(t.name),
                Some(revoked_at) => TokenError::Retired {
                    name: t.name,
                    revoked_at,
                },
            }
            .into());
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(TokenError::NoRandom)?;
        let token: String = std::iter::once(TOKEN_PREFIX.to_string())
            .chain(secret.iter().map(|b| format!("{b:02x}")))
            .collect();
        self.writable()?;
        // Should another process take the name meanwhile, the primary key refuses this one.
        self.conn.execute(
            "INSERT INTO tokens(name, hash, created_at) VALUES(?1, ?2, ?3)",
            params![name, hash(&token), now()],
        )?;
        Ok(token)
    }

    /// Every token ever created, by name.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        if !self.has_tokens()? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare("SELECT name, created_at, revoked_at FROM tokens ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenInfo {
                name: r.get(0)?,
                created_at: r.get(1)?,
                revoked_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Revokes the token called `name`; fails if there is none or it is already revoked (and
    /// then leaves the home as it was).
    pub fn revoke_token(&mut self, name: &str) -> Result<()> {
        match self.tokens()?.into_iter().find(|t| t.name == name) {
            None => return Err(TokenError::Unknown(name.to_string()).into()),
            Some(t) if t.revoked_at.is_some() => {
                return Err(TokenError::AlreadyRevoked(t.name).into())
            }
            Some(_) => {}
        }
        self.writable()?;
        let changed = self.conn.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, now()],
        )?;
        if changed == 0 {
            // Revoked by another process since it was read above.
            return Err(TokenError::AlreadyRevoked(name.to_string()).into());
        }
        Ok(())
    }

    /// The name of the live token `token`, or `None` if it is unknown or revoked.
    ///
    /// The hash of `token` is compared with every live token's hash in constant time and
    /// without stopping at a match: an index lookup (`WHERE hash = ?`) would answer sooner or
    /// later depending on how many leading bytes agree, and how long a request takes must not
    /// tell a caller anything about the stored hashes. A home has a handful of tokens, so reading
    /// them all costs nothing.
    pub fn token_name(&self, token: &str) -> Result<Option<String>> {
        if !self.has_tokens()? {
            return Ok(None);
        }
        let wanted = hash(token);
        let mut stmt = self
            .conn
            .prepare("SELECT name, hash FROM tokens WHERE revoked_at IS NULL")?;
        let live = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut found = None;
        for (name, stored) in live {
            // Stored hashes are all 64 hex digits, so lengths differ only for a damaged row,
            // and `ct_eq` then answers false (length is not secret).
            if bool::from(stored.as_bytes().ct_eq(wanted.as_bytes())) {
                found = Some(name);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_until_revoked_and_only_its_hash_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        Ledger::init(dir.path(), true).unwrap();
        let mut ledger = Ledger::open(dir.path()).unwrap();
        let token = ledger.create_token("alice").unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(ledger.token_name(&token).unwrap().as_deref(), Some("alice"));
        assert_eq!(ledger.token_name("dyad_wrong").unwrap(), None);
        let stored: String = ledger
            .conn
            .query_row("SELECT hash FROM tokens", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token);
        assert_eq!(stored, hash(&token));

        let other = ledger.create_token("bob").unwrap();
        assert_ne!(other, token);
        ledger.revoke_token("alice").unwrap();
        assert_eq!(ledger.token_name(&token).unwrap(), None);
        assert_eq!(ledger.token_name(&other).unwrap().as_deref(), Some("bob"));
        let listed = ledger.tokens().unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed[0].revoked_at.is_some() && listed[1].revoked_at.is_none());
    }

    #[test]
    fn names_are_checked_and_never_reused() {
        let mut ledger = Ledger::bundled().unwrap();
        ledger.create_token("alice").unwrap();
        let again = ledger.create_token("alice").unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
        ledger.revoke_token("alice").unwrap();
        let reused = ledger.create_token("alice").unwrap_err().to_string();
        assert!(reused.contains("revoked"), "{reused}");
        let twice = ledger.revoke_token("alice").unwrap_err().to_string();
        assert!(twice.contains("already revoked"), "{twice}");
        let unknown = ledger.revoke_token("carol").unwrap_err().to_string();
        assert!(unknown.contains("no token named `carol`"), "{unknown}");
        for bad in ["", " alice", "a\nb", "<script>"] {
            let e = ledger.create_token(bad).unwrap_err().to_string();
            assert!(e.contains("not a valid token name"), "{bad:?}: {e}");
        }
    }
}
