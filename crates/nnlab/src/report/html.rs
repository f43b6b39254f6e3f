//! Small HTML building blocks of the report pages: escaping, base64 data URIs, UTC dates and
//! the shared style sheet. No network, no external scripts or fonts.

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe inside elements and quoted
/// attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub use crate::io::base64;

/// The UTC date and time `YYYY-MM-DD HH:MM:SS` of `secs` seconds after 1970-01-01 00:00 UTC.
/// Days since the epoch become a proleptic Gregorian date by the era decomposition of
/// H. Hinnant's `civil_from_days` (400-year eras of 146 097 days, years starting in March).
pub fn utc_date(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch now (0 if the clock is before 1970).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The style sheet shared by the run page and the index (system fonts only).
pub const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;\
padding:0 1em;color:#222}h1{margin-bottom:.2em}table{border-collapse:collapse;margin:.5em 0}\
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}\
td.num{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f7f7f7;padding:.6em;\
overflow:auto;max-height:30em}figure{margin:1.5em 0}figure img,figure svg{max-width:100%;\
height:auto;border:1px solid #eee}figcaption{color:#555;margin-top:.3em}\
th.sort{cursor:pointer}.muted{color:#777}";

#[cfg(test)]
mod tests {
    use super::*;

    /// Known instants: the epoch, a leap day, the last second of a century year that is not a
    /// leap year, and a date after 2038.
    #[test]
    fn utc_date_matches_known_instants() {
        assert_eq!(utc_date(0), "1970-01-01 00:00:00");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc_date(4_107_542_399), "2100-02-28 23:59:59");
        assert_eq!(utc_date(4_107_542_400), "2100-03-01 00:00:00");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14 22:13:20");
    }

    #[test]
    fn escape_replaces_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }
}
