//! The model names usage is counted under: the first `max_models` distinct names as they
//! come, then `other`. Model names are the client's to choose, so without a bound a
//! client could grow the recorder's memory, the ledger's rollups and `/metrics` without
//! end. The request log keeps each request's own name.

use foldhash::{HashSet, HashSetExt};
use std::sync::{Arc, LazyLock};

/// What names past the bound are counted as.
pub const OTHER: &str = "other";

/// The names seen so far; owned by the recorder's task.
pub struct ModelNames {
    seen: HashSet<Arc<str>>,
    max: usize,
}

impl ModelNames {
    pub fn new(max: usize) -> Self {
        Self {
            seen: HashSet::new(),
            max,
        }
    }

    /// The name to count `model` under.
    pub fn counted(&mut self, model: &Arc<str>) -> Arc<str> {
        static OTHER_NAME: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(OTHER));
        if let Some(known) = self.seen.get(model) {
            return Arc::clone(known);
        }
        if self.seen.len() < self.max {
            self.seen.insert(Arc::clone(model));
            return Arc::clone(model);
        }
        Arc::clone(&OTHER_NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_bound_count_as_other() {
        let mut names = ModelNames::new(2);
        let name = |s: &str| Arc::<str>::from(s);
        assert_eq!(&*names.counted(&name("a")), "a");
        assert_eq!(&*names.counted(&name("b")), "b");
        assert_eq!(&*names.counted(&name("c")), OTHER);
        assert_eq!(
            &*names.counted(&name("a")),
            "a",
            "known names stay themselves"
        );
        assert_eq!(names.seen.len(), 2);
    }
}
