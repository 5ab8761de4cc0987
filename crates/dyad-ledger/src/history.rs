//! The history of an act: every stored version, with who recorded it, when and why.

use rusqlite::params;

use dyad_core::Act;

use crate::error::Result;
use crate::ids::{id_hash, natural_parts};
use crate::query::read_act;
use crate::Ledger;

/// One stored version of an act.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActVersion {
    /// The act as of this version.
    pub act: Act,
    /// 1 for the first record, then 2, 3, ...
    pub version: i64,
    /// When this version was recorded (UTC, RFC 3339).
    pub recorded_at: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// Why.
    pub reason: String,
    /// When a later version replaced it, if one did.
    pub superseded_at: Option<String>,
}

impl Ledger {
    /// Every stored version of an act, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<ActVersion>> {
        const COLUMNS: &str = "SELECT a.id, a.date, a.actor, a.authority, a.act, a.level, a.detail,
                a.source_url, a.source_date, a.version, i.recorded_at, i.recorded_by, i.reason,
                s.recorded_at
            FROM acts a JOIN imports i ON i.id = a.import
            LEFT JOIN imports s ON s.id = a.superseded_by";
        let read = |r: &rusqlite::Row<'_>| {
            Ok((
                read_act(r)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
            ))
        };
        // Versions stored with their id, then versions whose id is the natural one.
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{COLUMNS} WHERE a.id_hash = ?2 AND a.id = ?1"))?;
        let mut rows = stmt
            .query_map(params![id, id_hash(id)], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if let Some([actor, authority, date, act]) = natural_parts(id) {
            let mut stmt = self.conn.prepare_cached(&format!(
                "{COLUMNS} WHERE a.authority = ?1 AND a.actor = ?2 AND a.date = ?3 AND a.act = ?4
                   AND a.id IS NULL"
            ))?;
            rows.extend(
                stmt.query_map(params![authority, actor, date, act], read)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            );
        }
        let mut out = Vec::new();
        for (act, version, recorded_at, recorded_by, reason, superseded_at) in rows {
            out.push(ActVersion {
                act: act?,
                version,
                recorded_at,
                recorded_by,
                reason,
                superseded_at,
            });
        }
        out.sort_by_key(|v| v.version);
        Ok(out)
    }
}
