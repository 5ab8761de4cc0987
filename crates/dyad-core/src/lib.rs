//! dyad-core: the vocabulary of dyad and its pure logic, with no I/O.
//!
//! - [`codes`]: the registry of states, organisations and authorities (bundled as data);
//! - [`date`]: dates known to a day, month or year;
//! - [`act`]: acts, the dated and sourced steps of an actor toward an authority;
//! - [`raw`]: acts and authorities as readers find them, and the one validation of each;
//! - [`acts_csv`]: the CSV format of acts, strictly validated;
//! - [`stance`]: the fold of acts into a stance as of a day;
//! - [`contest`]: every actor's stance toward each rival government of one state.

pub mod act;
pub mod acts_csv;
pub mod codes;
pub mod contest;
pub mod date;
pub mod error;
pub mod raw;
pub mod stance;
pub mod table;

pub use act::{Act, ActKind};
pub use codes::{Authority, Registry, State};
pub use date::{PartialDate, Precision};
pub use error::{InputError, InputErrors, RecordError, RecordErrors};
pub use stance::{fold, fold_all, Stance};
