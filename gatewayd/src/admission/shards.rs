//! A map split into independently locked shards, so requests for different keys or
//! addresses rarely wait on each other. Locks are held for one closure, never across an
//! `.await`.

use std::hash::{BuildHasher, Hash};

use foldhash::fast::RandomState;
use foldhash::{HashMap, HashMapExt};
use std::sync::Mutex;

const SHARDS: usize = 16;

pub struct Shards<K, V> {
    shards: [Mutex<HashMap<K, V>>; SHARDS],
    hasher: RandomState,
}

impl<K, V> Default for Shards<K, V> {
    fn default() -> Self {
        Self {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            hasher: RandomState::default(),
        }
    }
}

impl<K: Hash + Eq + Clone, V: Default> Shards<K, V> {
    fn shard(&self, key: &K) -> std::sync::MutexGuard<'_, HashMap<K, V>> {
        let index = self.hasher.hash_one(key) as usize % SHARDS;
        self.shards[index].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the entry for `key`, creating it if missing.
    pub fn with<R>(&self, key: &K, f: impl FnOnce(&mut V) -> R) -> R {
        let mut shard = self.shard(key);
        if let Some(v) = shard.get_mut(key) {
            return f(v);
        }
        f(shard.entry(key.clone()).or_default())
    }

    /// Runs `f` on the entry for `key` if there is one.
    pub fn with_existing(&self, key: &K, f: impl FnOnce(&mut V)) {
        if let Some(v) = self.shard(key).get_mut(key) {
            f(v);
        }
    }

    /// Keeps the entries `keep` says to keep.
    pub fn retain(&self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        for shard in &self.shards {
            shard
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|k, v| keep(k, v));
        }
    }

    /// Visits every entry.
    pub fn for_each(&self, mut f: impl FnMut(&K, &V)) {
        for shard in &self.shards {
            for (k, v) in shard.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                f(k, v);
            }
        }
    }
}
