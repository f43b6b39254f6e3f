//! Text rendering of the three traces (evaluation, forward tangents, reverse adjoints) as
//! aligned two-column tables: `formula` and `value`.

use super::deriv::{BAR, DOT};
use super::graph::Trace;

/// A titled table of `(formula, value)` rows; values are right-aligned.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

impl Table {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            rows: Vec::new(),
        }
    }

    /// Appends a row with `value` printed to `digits` decimals.
    pub fn row(&mut self, formula: impl Into<String>, value: f64, digits: usize) {
        self.rows.push((formula.into(), fmt_value(value, digits)));
    }

    /// The table as text: the title, a rule, then one indented line per row.
    pub fn render(&self) -> String {
        let fw = self.rows.iter().map(|(f, _)| width(f)).max().unwrap_or(0);
        let vw = self.rows.iter().map(|(_, v)| width(v)).max().unwrap_or(0);
        let mut s = format!("{}\n{}\n", self.title, "-".repeat(width(&self.title)));
        for (f, v) in &self.rows {
            let pad_f = " ".repeat(fw - width(f));
            let pad_v = " ".repeat(vw - width(v));
            s.push_str(&format!("  {f}{pad_f}   {pad_v}{v}\n"));
        }
        s
    }
}

/// `v` to `digits` decimals, without a minus sign on zero.
pub fn fmt_value(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Display width: characters other than combining marks (the dot of v̇, the bar of v̄).
fn width(s: &str) -> usize {
    s.chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .count()
}

impl Trace {
    /// The evaluation trace: `v_k = formula` and the value of each node, then `f = v_out`.
    pub fn render_evaluation(&self, values: &[f64], digits: usize) -> String {
        let mut t = Table::new("Evaluation trace (primal values)");
        for (i, &v) in values.iter().enumerate() {
            t.row(
                format!("{} = {}", self.name(i, ""), self.formula(i)),
                v,
                digits,
            );
        }
        t.row(
            format!("f = {}", self.name(self.output(), "")),
            values[self.output()],
            digits,
        );
        t.render()
    }

    /// The forward-mode tangent trace for the derivative along input `wrt` (seed e_wrt), ending
    /// with `∂f/∂x = v̇_out`.
    pub fn render_tangents(&self, values: &[f64], wrt: usize, digits: usize) -> String {
        let names = self.input_names();
        let seed: Vec<f64> = (0..self.n_inputs())
            .map(|k| f64::from(u8::from(k == wrt)))
            .collect();
        let dots = self.tangents(values, &seed);
        let seed_text: Vec<String> = seed.iter().map(|s| s.to_string()).collect();
        let mut t = Table::new(format!(
            "Forward mode (tangent trace), seed x{DOT} = ({}): the derivative along {}",
            seed_text.join(", "),
            names[wrt]
        ));
        for (i, &d) in dots.iter().enumerate() {
            let f = format!("{} = {}", self.name(i, DOT), self.tangent_formula(i, &seed));
            t.row(f, d, digits);
        }
        let out = self.output();
        t.row(
            format!("∂f/∂{} = {}", names[wrt], self.name(out, DOT)),
            dots[out],
            digits,
        );
        t.render()
    }

    /// The reverse-mode adjoint trace from the output back to the inputs, then the gradient
    /// `∂f/∂x_k = v̄_k`.
    pub fn render_adjoints(&self, values: &[f64], digits: usize) -> String {
        let bars = self.adjoints(values);
        let mut t = Table::new(format!(
            "Reverse mode (adjoint trace), v{BAR}_i = Σ_j v{BAR}_j * ∂v_j/∂v_i, seed {} = 1",
            self.name(self.output(), BAR)
        ));
        for i in (0..bars.len()).rev() {
            let f = format!("{} = {}", self.name(i, BAR), self.adjoint_formula(i));
            t.row(f, bars[i], digits);
        }
        for (k, name) in self.input_names().iter().enumerate() {
            t.row(
                format!("∂f/∂{name} = {}", self.name(k, BAR)),
                bars[k],
                digits,
            );
        }
        t.render()
    }
}
