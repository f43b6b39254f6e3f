//! Saving and loading a [`Dictionary`]: `dictionary.json` (sizes, λ, coding iterations; L for reference, recomputed on load) and
//! `atoms.npy` (D, d × K, f64), written atomically; loading checks that they agree.

use super::Dictionary;
use std::path::Path;

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    dim: usize,
    atoms: usize,
    lambda: f64,
    coding_iterations: usize,
    lipschitz: f64,
}

impl Dictionary {
    /// Writes `dir/dictionary.json` and `dir/atoms.npy`. Errors name the file.
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let meta = Meta {
            dim: self.dim,
            atoms: self.atoms,
            lambda: self.lambda,
            coding_iterations: self.coding_iterations,
            lipschitz: self.lipschitz,
        };
        let json = serde_json::to_vec_pretty(&meta).map_err(|e| e.to_string())?;
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.join(name);
            crate::io::write_atomic(&p, bytes).map_err(|e| format!("{}: {e}", p.display()))
        };
        write("dictionary.json", &json)?;
        write(
            "atoms.npy",
            &crate::npy::to_bytes(&[self.dim, self.atoms], &self.d),
        )
    }

    /// Reads a dictionary written by [`Dictionary::save`]. Errors name the file and what is wrong.
    pub fn load(dir: &Path) -> Result<Dictionary, String> {
        let jp = dir.join("dictionary.json");
        let text = std::fs::read_to_string(&jp).map_err(|e| format!("{}: {e}", jp.display()))?;
        let m: Meta = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", jp.display()))?;
        let ap = dir.join("atoms.npy");
        let arr = crate::npy::read(&ap).map_err(|e| e.to_string())?;
        if arr.shape != [m.dim, m.atoms] {
            return Err(format!(
                "{}: shape {:?} does not match {} pixels × {} atoms in {}",
                ap.display(),
                arr.shape,
                m.dim,
                m.atoms,
                jp.display()
            ));
        }
        if arr.data.iter().any(|v| !v.is_finite()) {
            return Err(format!("{}: non-finite atom entries", ap.display()));
        }
        let ok = |v: f64| v.is_finite() && v > 0.0;
        if !ok(m.lambda) || m.coding_iterations == 0 {
            return Err(format!(
                "{}: lambda and coding_iterations must be positive",
                jp.display()
            ));
        }
        Ok(Dictionary {
            dim: m.dim,
            atoms: m.atoms,
            lambda: m.lambda,
            coding_iterations: m.coding_iterations,
            // Recomputed, never trusted: a wrong L would break FISTA's step.
            lipschitz: Dictionary::lipschitz_of(m.dim, m.atoms, &arr.data),
            d: arr.data,
        })
    }
}
