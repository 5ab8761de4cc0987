//! Event studies: how a trade series moved around a dated act, against peers, with placebos.
//!
//! The method (also in the README):
//! - The event falls in period `e` (the year, or the month, containing the act's date). The
//!   `pre` window is the `N` periods before `e`, the `post` window the `N` periods after `e`.
//!   Period `e` itself is left out: it is only partly after the event.
//! - A series' change is the mean of `ln(value)` over `post` minus the same over `pre`, in log
//!   points (`exp(change)` is the ratio of geometric means). Every period in both windows must
//!   have a positive value; a gap is never read as zero.
//! - The effect is the target's change minus the mean change of the peers (a difference in
//!   differences with equal peer weights). With no usable peer it is the raw change, flagged.
//! - Placebos: (1) each peer treated as if it were the target, against the other peers, on the
//!   true date; (2) the target on earlier dates whose windows end before the true `pre` window
//!   starts. The p-value is (1 + #placebos with |effect| ≥ |observed|) / (1 + #placebos).
//!
//! Assumptions and limits: peers would have moved like the target without the event (parallel
//! trends in logs); no other shock hit only the target; few annual periods give few placebos, so
//! the smallest attainable p-value is 1/(1 + #placebos) and is reported with it.

use serde::Serialize;

use crate::series::{Period, Series};

/// What the study needs besides the data.
#[derive(Debug, Clone, Copy)]
pub struct EventSpec {
    /// Period containing the event.
    pub event: Period,
    /// Periods in each window.
    pub window: usize,
}

/// A placebo estimate.
#[derive(Debug, Clone, Serialize)]
pub struct Placebo {
    /// `peer` (a peer as if treated) or `shift` (the target on an earlier date).
    pub kind: &'static str,
    /// The peer's name, or the shifted event period.
    pub label: String,
    /// Its effect, in log points.
    pub effect: f64,
}

/// The result of an event study.
#[derive(Debug, Clone, Serialize)]
pub struct EventResult {
    /// Periods before the event.
    pub pre: Vec<Period>,
    /// Periods after the event.
    pub post: Vec<Period>,
    /// The target's change in log points.
    pub target_change: f64,
    /// Mean change of the peers used, if any.
    pub peer_change: Option<f64>,
    /// Target change minus peer change (or the raw change without peers), in log points.
    pub effect: f64,
    /// `exp(effect)`: the relative change against peers (2.0 = doubled relative to peers).
    pub effect_ratio: f64,
    /// Peers with data in both windows.
    pub peers_used: Vec<String>,
    /// Peers left out, with the reason.
    pub peers_dropped: Vec<(String, String)>,
    /// The placebo estimates.
    pub placebos: Vec<Placebo>,
    /// Share of placebos at least as large in absolute value (with the +1 correction).
    pub p_value: Option<f64>,
}

/// Why a study could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StudyError {
    /// The window is zero.
    #[error("the window must be at least one period")]
    EmptyWindow,
    /// The target lacks a positive value in some period of the windows.
    #[error("not enough data: the target has no positive value for {0} (gaps are not zeros)")]
    Gap(String),
}

fn windows(event: Period, n: usize) -> (Vec<Period>, Vec<Period>) {
    let n = n as i64;
    let pre = (1..=n).rev().map(|k| event.shift(-k)).collect();
    let post = (1..=n).map(|k| event.shift(k)).collect();
    (pre, post)
}

fn change(s: &Series, pre: &[Period], post: &[Period]) -> Option<f64> {
    Some(s.mean_log(post)? - s.mean_log(pre)?)
}

fn first_gap(s: &Series, periods: &[Period]) -> String {
    periods
        .iter()
        .find(|&&p| s.get(p).is_none_or(|v| v <= 0.0))
        .map_or_else(String::new, Period::to_string)
}

/// Runs an event study of `target` against `peers` (name, series).
pub fn event_study(
    target: &Series,
    peers: &[(String, Series)],
    spec: EventSpec,
) -> Result<EventResult, StudyError> {
    if spec.window == 0 {
        return Err(StudyError::EmptyWindow);
    }
    let (pre, post) = windows(spec.event, spec.window);
    let target_change = change(target, &pre, &post).ok_or_else(|| {
        let all: Vec<Period> = pre.iter().chain(&post).copied().collect();
        StudyError::Gap(first_gap(target, &all))
    })?;
    let mut used: Vec<(&str, &Series, f64)> = Vec::new();
    let mut dropped = Vec::new();
    for (name, s) in peers {
        match change(s, &pre, &post) {
            Some(c) => used.push((name, s, c)),
            None => {
                let all: Vec<Period> = pre.iter().chain(&post).copied().collect();
                dropped.push((
                    name.clone(),
                    format!("no positive value for {}", first_gap(s, &all)),
                ));
            }
        }
    }
    let mean = |xs: &mut dyn Iterator<Item = f64>| {
        let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
        (n > 0).then(|| sum / n as f64)
    };
    let peer_change = mean(&mut used.iter().map(|u| u.2));
    let effect = target_change - peer_change.unwrap_or(0.0);

    let mut placebos = Vec::new();
    // Each peer as if treated, against the others.
    if used.len() >= 2 {
        for (i, (name, _, c)) in used.iter().enumerate() {
            let others = mean(
                &mut used
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, u)| u.2),
            );
            placebos.push(Placebo {
                kind: "peer",
                label: name.to_string(),
                effect: c - others.unwrap_or(0.0),
            });
        }
    }
    // The target at earlier dates whose post window ends before the true pre window starts.
    let n = spec.window as i64;
    let first = target.points.keys().next().copied();
    for k in (2 * n + 1).. {
        let fake = spec.event.shift(-k);
        let (fpre, fpost) = windows(fake, spec.window);
        if first.is_none_or(|f| fpre[0] < f) {
            break;
        }
        let Some(tc) = change(target, &fpre, &fpost) else {
            continue;
        };
        let pc = mean(&mut used.iter().filter_map(|(_, s, _)| change(s, &fpre, &fpost)));
        placebos.push(Placebo {
            kind: "shift",
            label: fake.to_string(),
            effect: tc - pc.unwrap_or(0.0),
        });
    }
    let p_value = (!placebos.is_empty()).then(|| {
        let extreme = placebos
            .iter()
            .filter(|p| p.effect.abs() >= effect.abs() - 1e-12)
            .count();
        (1 + extreme) as f64 / (1 + placebos.len()) as f64
    });
    Ok(EventResult {
        pre,
        post,
        target_change,
        peer_change,
        effect,
        effect_ratio: effect.exp(),
        peers_used: used.iter().map(|u| u.0.to_string()).collect(),
        peers_dropped: dropped,
        placebos,
        p_value,
    })
}

/// Picks up to `k` peers whose mean log level over the pre window is closest to the target's,
/// among candidates with positive values in both windows. Ties keep the candidates' order.
pub fn closest_peers(
    target: &Series,
    candidates: &[(String, Series)],
    spec: EventSpec,
    k: usize,
) -> Vec<String> {
    let (pre, post) = windows(spec.event, spec.window);
    let Some(level) = target.mean_log(&pre) else {
        return Vec::new();
    };
    let mut scored: Vec<(f64, &String)> = candidates
        .iter()
        .filter(|(_, s)| change(s, &pre, &post).is_some())
        .map(|(name, s)| {
            (
                (s.mean_log(&pre).unwrap_or(f64::INFINITY) - level).abs(),
                name,
            )
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    scored.into_iter().take(k).map(|(_, n)| n.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn years(values: &[(i32, f64)]) -> Series {
        Series::from_pairs(values.iter().map(|&(y, v)| (Period::Year(y), v)))
    }

    fn flat(level: f64) -> Series {
        years(&(2010..=2024).map(|y| (y, level)).collect::<Vec<_>>())
    }

    /// A series at `before` up to 2020 and `after` from 2022 (2021 is the event year).
    fn step(before: f64, event_year: f64, after: f64) -> Series {
        years(
            &(2010..=2024)
                .map(|y| {
                    (
                        y,
                        if y < 2021 {
                            before
                        } else if y == 2021 {
                            event_year
                        } else {
                            after
                        },
                    )
                })
                .collect::<Vec<_>>(),
        )
    }

    const SPEC: EventSpec = EventSpec {
        event: Period::Year(2021),
        window: 2,
    };

    #[test]
    fn a_clean_doubling_is_ln2() {
        let r = event_study(&step(100.0, 123.0, 200.0), &[], SPEC).unwrap();
        assert!((r.target_change - 2f64.ln()).abs() < 1e-12);
        assert!((r.effect_ratio - 2.0).abs() < 1e-12);
        assert_eq!(r.pre, [Period::Year(2019), Period::Year(2020)]);
        assert_eq!(r.post, [Period::Year(2022), Period::Year(2023)]);
        assert_eq!(r.peer_change, None);
    }

    #[test]
    fn no_change_is_zero_against_flat_peers() {
        let peers = vec![("A".to_string(), flat(5.0)), ("B".to_string(), flat(7.0))];
        let r = event_study(&flat(100.0), &peers, SPEC).unwrap();
        assert!(r.effect.abs() < 1e-12);
        assert_eq!(r.p_value, Some(1.0));
    }

    #[test]
    fn a_peer_wide_shock_is_removed_by_the_difference() {
        let peers = vec![
            ("A".to_string(), step(10.0, 10.0, 30.0)),
            ("B".to_string(), step(50.0, 60.0, 150.0)),
        ];
        let r = event_study(&step(100.0, 100.0, 300.0), &peers, SPEC).unwrap();
        assert!((r.target_change - 3f64.ln()).abs() < 1e-12);
        assert!((r.peer_change.unwrap() - 3f64.ln()).abs() < 1e-12);
        assert!(r.effect.abs() < 1e-12);
    }

    #[test]
    fn a_target_only_jump_stands_out_of_its_placebos() {
        let peers: Vec<(String, Series)> = (0..5)
            .map(|i| (format!("P{i}"), flat(10.0 + i as f64)))
            .collect();
        let r = event_study(&step(100.0, 100.0, 400.0), &peers, SPEC).unwrap();
        assert!((r.effect - 4f64.ln()).abs() < 1e-12);
        // 5 peer placebos and shifted dates from 2016 back to 2012 (windows within 2010–2020).
        assert_eq!(r.placebos.iter().filter(|p| p.kind == "peer").count(), 5);
        assert_eq!(r.placebos.iter().filter(|p| p.kind == "shift").count(), 5);
        assert_eq!(r.p_value, Some(1.0 / 11.0));
    }

    #[test]
    fn gaps_are_not_zeros() {
        let mut s = step(100.0, 100.0, 200.0);
        s.points.remove(&Period::Year(2022));
        assert_eq!(
            event_study(&s, &[], SPEC).unwrap_err(),
            StudyError::Gap("2022".into())
        );
        let peers = vec![("gappy".to_string(), s.clone())];
        let r = event_study(&flat(1.0), &peers, SPEC).unwrap();
        assert_eq!(
            r.peers_dropped,
            [(
                "gappy".to_string(),
                "no positive value for 2022".to_string()
            )]
        );
    }

    #[test]
    fn monthly_windows_cross_years() {
        let s = Series::from_pairs((0..36).map(|i| {
            (
                Period::Month(2022, 1).shift(i),
                if i > 12 { 20.0 } else { 10.0 },
            )
        }));
        let r = event_study(
            &s,
            &[],
            EventSpec {
                event: Period::Month(2023, 1),
                window: 3,
            },
        )
        .unwrap();
        assert_eq!(
            r.pre,
            [
                Period::Month(2022, 10),
                Period::Month(2022, 11),
                Period::Month(2022, 12)
            ]
        );
        assert!((r.effect_ratio - 2.0).abs() < 1e-12);
    }

    #[test]
    fn closest_peers_by_pre_level() {
        let cands = vec![
            ("far".to_string(), flat(1e6)),
            ("near".to_string(), flat(120.0)),
            ("mid".to_string(), flat(1e3)),
        ];
        assert_eq!(
            closest_peers(&flat(100.0), &cands, SPEC, 2),
            ["near", "mid"]
        );
    }
}
