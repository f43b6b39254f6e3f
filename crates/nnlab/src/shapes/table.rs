//! A minimal aligned text table: a header row, a rule, and columns padded to their widest cell
//! (widths in characters, so `·` and `⌊` count as one).

/// How a column is aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Renders `rows` under `headers`, two spaces between columns, each line indented by two
/// spaces, trailing spaces trimmed.
pub(crate) fn render(headers: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let chars = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|(h, _)| chars(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(chars(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::from("  ");
        for (n, ((cell, (_, align)), w)) in cells.iter().zip(headers).zip(&widths).enumerate() {
            let pad = " ".repeat(w - chars(cell));
            if n > 0 {
                out.push_str("  ");
            }
            match align {
                Align::Left => out.push_str(&format!("{cell}{pad}")),
                Align::Right => out.push_str(&format!("{pad}{cell}")),
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut s = line(headers.iter().map(|(h, _)| *h).collect());
    let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    s.push_str(&format!("  {}\n", "-".repeat(total)));
    for row in rows {
        s.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    s
}
