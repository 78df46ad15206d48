//! Human quantities in requests: sizes (`200GB`, `1.5 TiB`), rates (`5GB/month`, `200MB/s`) and
//! durations (`15m`, `1h30m`, `30d`). Sizes are binary (1 GB = 1024³ bytes), the way PostgreSQL,
//! MySQL and PGTune read them. Every parse error says what was wrong and shows a valid value.

use crate::error::KdError;

const KIB: f64 = 1024.0;

/// Bytes from a size such as `200GB`, `512 MiB`, `1.5T`, `8kB` or `4096B`. A bare number is
/// refused: `64` could be gigabytes or bytes.
pub fn parse_size(field: &str, s: &str) -> Result<u64, KdError> {
    let t = s.trim();
    let (num, unit) = split_number(t).ok_or_else(|| size_error(field, s))?;
    if unit.is_empty() {
        return Err(KdError::invalid(format!(
            "{field}: `{s}` has no unit; write it as {t}GB, {t}MB or {t}B"
        )));
    }
    let mult = match unit.to_ascii_lowercase().as_str() {
        "b" | "byte" | "bytes" => 1.0,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => KIB * KIB,
        "g" | "gb" | "gib" => KIB * KIB * KIB,
        "t" | "tb" | "tib" => KIB * KIB * KIB * KIB,
        "p" | "pb" | "pib" => KIB * KIB * KIB * KIB * KIB,
        _ => return Err(size_error(field, s)),
    };
    let v = num * mult;
    if !v.is_finite() || !(0.0..=1.0e18).contains(&v) {
        return Err(size_error(field, s));
    }
    Ok(v.round() as u64)
}

fn size_error(field: &str, s: &str) -> KdError {
    KdError::invalid(format!(
        "{field}: `{s}` is not a size; write a number and a unit such as 200GB, 512MB or 1.5TB (binary units: 1 GB = 1024 MB)"
    ))
}

/// Seconds from a duration such as `15m`, `1h`, `1h30m`, `90s`, `30d`, `2w`, `15 minutes` or `0`.
pub fn parse_duration(field: &str, s: &str) -> Result<u64, KdError> {
    let t = s.trim().to_ascii_lowercase();
    let err = || {
        KdError::invalid(format!(
            "{field}: `{s}` is not a duration; write it as 15m, 1h, 1h30m, 90s, 30d or 2w (m = minutes)"
        ))
    };
    if t.is_empty() {
        return Err(err());
    }
    if t == "0" {
        return Ok(0);
    }
    let mut rest = t.as_str();
    let mut total = 0f64;
    let mut any = false;
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start();
        let (num, after) = leading_number(rest).ok_or_else(err)?;
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let unit = &after[..unit_len];
        let secs = duration_unit_seconds(unit).ok_or_else(err)?;
        total += num * secs;
        any = true;
        rest = &after[unit_len..];
    }
    if !any || !total.is_finite() || !(0.0..=1.0e12).contains(&total) {
        return Err(err());
    }
    Ok(total.round() as u64)
}

fn duration_unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "wk" | "week" | "weeks" => 7.0 * 86400.0,
        "mo" | "month" | "months" => 30.0 * 86400.0,
        "y" | "yr" | "year" | "years" => 365.0 * 86400.0,
        _ => return None,
    })
}

/// Bytes per second from a rate such as `5GB/month`, `20GB/day`, `200MB/s` or `1TB/year`.
pub fn parse_rate(field: &str, s: &str) -> Result<f64, KdError> {
    let err = || {
        KdError::invalid(format!(
            "{field}: `{s}` is not a rate; write a size per period such as 5GB/month, 20GB/day or 200MB/s"
        ))
    };
    let (size, per) = s.split_once('/').ok_or_else(err)?;
    let bytes = parse_size(field, size).map_err(|_| err())?;
    let per = per.trim().to_ascii_lowercase();
    let per_secs = if per.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        parse_duration(field, &per).map_err(|_| err())? as f64
    } else {
        duration_unit_seconds(&per).ok_or_else(err)?
    };
    if per_secs <= 0.0 {
        return Err(err());
    }
    Ok(bytes as f64 / per_secs)
}

fn split_number(t: &str) -> Option<(f64, &str)> {
    let (n, rest) = leading_number(t)?;
    Some((n, rest.trim()))
}

fn leading_number(t: &str) -> Option<(f64, &str)> {
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_' || c == ','))
        .unwrap_or(t.len());
    if end == 0 {
        return None;
    }
    let digits: String = t[..end]
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let n: f64 = digits.parse().ok()?;
    Some((n, &t[end..]))
}

/// `68.4 GiB`-style text for bytes.
pub fn human_bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b.max(0.0);
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{} B", v.round() as u64)
    } else if v >= 100.0 {
        format!("{v:.0} {}", units[i])
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// `1 h 12 min`-style text for seconds.
pub fn human_duration(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    if s < 60 {
        return format!("{s} s");
    }
    if s < 3600 {
        let (m, r) = (s / 60, s % 60);
        return if r == 0 {
            format!("{m} min")
        } else {
            format!("{m} min {r} s")
        };
    }
    if s < 86400 {
        let (h, m) = (s / 3600, (s % 3600) / 60);
        return if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        };
    }
    let (d, h) = (s / 86400, (s % 86400) / 3600);
    if h == 0 {
        format!("{d} d")
    } else {
        format!("{d} d {h} h")
    }
}

/// A PostgreSQL/MySQL-style memory value: the largest unit that divides exactly (`16GB`, `512MB`,
/// `77672kB`), as PGTune prints them. Input in kB.
pub fn pg_memory(kb: u64) -> String {
    if kb > 0 && kb.is_multiple_of(1024 * 1024) {
        format!("{}GB", kb / (1024 * 1024))
    } else if kb > 0 && kb.is_multiple_of(1024) {
        format!("{}MB", kb / 1024)
    } else {
        format!("{kb}kB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(
            parse_size("size", "200GB").unwrap(),
            200 * 1024 * 1024 * 1024
        );
        assert_eq!(parse_size("size", "1.5 TiB").unwrap(), 1649267441664);
        assert_eq!(parse_size("size", "8kB").unwrap(), 8192);
        assert_eq!(parse_size("size", "512m").unwrap(), 512 * 1024 * 1024);
        assert_eq!(parse_size("size", "1048576B").unwrap(), 1048576);
        let e = parse_size("ram", "64").unwrap_err().to_string();
        assert!(e.contains("no unit") && e.contains("64GB"), "{e}");
        for bad in ["", "GB", "12 parsecs", "-5GB", "1e99TB", "five"] {
            let e = parse_size("size", bad).unwrap_err().to_string();
            assert!(e.contains("size:") && e.contains("200GB"), "{bad}: {e}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("rpo", "15m").unwrap(), 900);
        assert_eq!(parse_duration("rpo", "1h30m").unwrap(), 5400);
        assert_eq!(parse_duration("rpo", "1 h 30 min").unwrap(), 5400);
        assert_eq!(parse_duration("rpo", "90s").unwrap(), 90);
        assert_eq!(parse_duration("retention", "30d").unwrap(), 30 * 86400);
        assert_eq!(parse_duration("retention", "2w").unwrap(), 14 * 86400);
        assert_eq!(parse_duration("rpo", "15 minutes").unwrap(), 900);
        assert_eq!(parse_duration("rpo", "0").unwrap(), 0);
        assert_eq!(parse_duration("rpo", "0.5h").unwrap(), 1800);
        for bad in ["", "m", "15 parsecs", "soon", "15m x"] {
            let e = parse_duration("rpo", bad).unwrap_err().to_string();
            assert!(e.starts_with("rpo:") && e.contains("15m"), "{bad}: {e}");
        }
    }

    #[test]
    fn rates() {
        let month = parse_rate("growth", "30GB/month").unwrap();
        assert!((month * 86400.0 - 1024.0 * 1024.0 * 1024.0).abs() < 1.0);
        let day = parse_rate("change_rate", "20GB/day").unwrap();
        assert!((day * 86400.0 - 20.0 * 1024.0 * 1024.0 * 1024.0).abs() < 1.0);
        assert_eq!(parse_rate("t", "100MB/s").unwrap(), 100.0 * 1024.0 * 1024.0);
        assert_eq!(parse_rate("t", "100MB/2s").unwrap(), 50.0 * 1024.0 * 1024.0);
        for bad in ["5GB", "5GB/fortnight", "x/day", "5GB/0s"] {
            assert!(parse_rate("growth", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(200.0 * 1024f64.powi(3)), "200 GiB");
        assert_eq!(human_duration(59.0), "59 s");
        assert_eq!(human_duration(3600.0 + 12.0 * 60.0), "1 h 12 min");
        assert_eq!(human_duration(86400.0 * 2.0), "2 d");
        assert_eq!(pg_memory(16 * 1024 * 1024), "16GB");
        assert_eq!(pg_memory(512 * 1024), "512MB");
        assert_eq!(pg_memory(77672), "77672kB");
    }
}
