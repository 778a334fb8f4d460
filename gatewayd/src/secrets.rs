//! The daemon's own secrets: the master key (generated on first start into the data dir
//! with mode 0600, or given by env/file), the AEAD that seals account credentials with
//! it, and the keyed digest that gateway key secrets are stored as. Never touches sled.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Environment variable holding the master key as 64 hex characters.
pub const MASTER_KEY_ENV: &str = "GATEWAYD_MASTER_KEY";
/// File name of the generated master key inside the data dir.
pub const MASTER_KEY_FILE: &str = "master.key";

type HmacSha256 = Hmac<Sha256>;

/// Why the daemon's secrets could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot read master key file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write master key file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("master key from {origin} is not 64 hex characters")]
    Malformed { origin: String },
    #[error("master key file {path} has mode {mode:o}; it must not be readable by group or others (chmod 600)")]
    LoosePermissions { path: PathBuf, mode: u32 },
    #[error("cannot seal credential")]
    Seal,
    #[error("cannot open sealed credential: wrong master key or corrupted record")]
    Open,
    #[error("cannot make the audit signing key")]
    Signer,
}

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum MasterKeySource {
    /// `GATEWAYD_MASTER_KEY` or a configured file.
    Given { origin: String, hex: String },
    /// `<data dir>/master.key`, created on first start.
    DataDir(PathBuf),
}

impl MasterKeySource {
    /// Picks env, then a configured file, then the data dir file.
    pub fn resolve(data_dir: &Path, file: Option<&Path>) -> Result<Self, SecretsError> {
        if let Ok(hex) = std::env::var(MASTER_KEY_ENV) {
            return Ok(Self::Given {
                origin: MASTER_KEY_ENV.to_owned(),
                hex,
            });
        }
        if let Some(path) = file {
            let hex = read_key_file(path)?;
            return Ok(Self::Given {
                origin: path.display().to_string(),
                hex,
            });
        }
        Ok(Self::DataDir(data_dir.join(MASTER_KEY_FILE)))
    }

    /// Whether a key is available without generating one.
    pub fn exists(&self) -> bool {
        match self {
            Self::Given { .. } => true,
            Self::DataDir(path) => path.exists(),
        }
    }

    /// Loads the key, generating the data-dir file if `may_generate` and it is absent.
    pub fn load(&self, may_generate: bool) -> Result<MasterKey, SecretsError> {
        match self {
            Self::Given { origin, hex } => MasterKey::from_hex(hex, origin),
            Self::DataDir(path) if path.exists() => {
                MasterKey::from_hex(&read_key_file(path)?, &path.display().to_string())
            }
            Self::DataDir(path) if may_generate => generate_key_file(path),
            Self::DataDir(path) => Err(SecretsError::Read {
                path: path.clone(),
                source: std::io::ErrorKind::NotFound.into(),
            }),
        }
    }
}

fn read_key_file(path: &Path) -> Result<String, SecretsError> {
    let meta = std::fs::metadata(path).map_err(|source| SecretsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretsError::LoosePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    std::fs::read_to_string(path).map_err(|source| SecretsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn generate_key_file(path: &Path) -> Result<MasterKey, SecretsError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    let write_err = |source| SecretsError::Write {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(write_err)?;
    file.write_all(hex::encode(bytes).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_err)?;
    Ok(MasterKey(bytes))
}

/// The 32-byte root secret. Everything else is derived from it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    fn from_hex(hex_str: &str, origin: &str) -> Result<Self, SecretsError> {
        let malformed = || SecretsError::Malformed {
            origin: origin.to_owned(),
        };
        let bytes = hex::decode(hex_str.trim()).map_err(|_| malformed())?;
        Ok(Self(bytes.try_into().map_err(|_| malformed())?))
    }

    fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A value stored in the database to detect a wrong or replaced master key.
    pub fn check_value(&self) -> String {
        hex::encode(self.derive("gatewayd/key-check/v1"))
    }

    /// The keyed hasher for gateway key secrets.
    pub fn key_hasher(&self) -> KeyHasher {
        let mac = <HmacSha256 as Mac>::new_from_slice(&self.derive("gatewayd/key-pepper/v1"))
            .expect("HMAC takes any key length");
        KeyHasher { mac }
    }

    /// The ed25519 key the audit chain head is signed with. Derived from the master key,
    /// so nothing stored in the data dir can replace it.
    pub fn audit_signer(&self) -> Result<AuditSigner, SecretsError> {
        let seed = self.derive("gatewayd/audit-sign/v1");
        ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
            .map(|pair| AuditSigner(std::sync::Arc::new(pair)))
            .map_err(|_| SecretsError::Signer)
    }

    /// The key the data dir's manifest is authenticated with, so neither damage nor an
    /// edit of the manifest goes unnoticed.
    pub fn manifest_key(&self) -> [u8; 32] {
        self.derive("gatewayd/manifest/v1")
    }

    /// The AEAD for account credentials.
    pub fn sealer(&self) -> Sealer {
        let key = self.derive("gatewayd/credential-seal/v1");
        Sealer {
            aead: ChaCha20Poly1305::new(&key.into()),
        }
    }
}

/// Signs and checks audit chain heads.
#[derive(Clone)]
pub struct AuditSigner(std::sync::Arc<ring::signature::Ed25519KeyPair>);

impl AuditSigner {
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).as_ref().to_vec()
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature::{KeyPair, UnparsedPublicKey, ED25519};
        UnparsedPublicKey::new(&ED25519, self.0.public_key().as_ref())
            .verify(message, signature)
            .is_ok()
    }

    /// The public key, hex, for operators who verify elsewhere.
    pub fn public_key_hex(&self) -> String {
        use ring::signature::KeyPair;
        hex::encode(self.0.public_key().as_ref())
    }
}

/// HMAC-SHA256 under the pepper; cheap to clone per request.
#[derive(Clone)]
pub struct KeyHasher {
    mac: HmacSha256,
}

impl KeyHasher {
    /// The digest a key secret is stored and looked up by.
    pub fn digest(&self, secret: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// ChaCha20-Poly1305 with a random nonce per seal; the record id is bound as associated data.
#[derive(Clone)]
pub struct Sealer {
    aead: ChaCha20Poly1305,
}

impl Sealer {
    /// Encrypts `plaintext` for the record `id`; returns base64(nonce ‖ ciphertext).
    pub fn seal(&self, id: &str, plaintext: &[u8]) -> Result<String, SecretsError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| SecretsError::Seal)?;
        let payload = Payload {
            msg: plaintext,
            aad: id.as_bytes(),
        };
        let sealed = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| SecretsError::Seal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(B64.encode(out))
    }

    /// Reverses [`Sealer::seal`].
    pub fn open(&self, id: &str, sealed: &str) -> Result<Vec<u8>, SecretsError> {
        let raw = B64.decode(sealed).map_err(|_| SecretsError::Open)?;
        if raw.len() < 12 {
            return Err(SecretsError::Open);
        }
        let (nonce, ciphertext) = raw.split_at(12);
        let payload = Payload {
            msg: ciphertext,
            aad: id.as_bytes(),
        };
        self.aead
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SecretsError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_round_trip_and_bind_the_record_id() {
        let dir = tempfile::tempdir().unwrap();
        let source = MasterKeySource::DataDir(dir.path().join(MASTER_KEY_FILE));
        let key = source.load(true).unwrap();
        let sealer = key.sealer();
        let sealed = sealer.seal("acc_1", b"sk-ant-secret").unwrap();
        assert!(!sealed.contains("sk-ant-secret"));
        assert_eq!(sealer.open("acc_1", &sealed).unwrap(), b"sk-ant-secret");
        assert!(sealer.open("acc_2", &sealed).is_err());
        let reloaded = source.load(false).unwrap();
        assert_eq!(reloaded.check_value(), key.check_value());
        let mode = std::fs::metadata(dir.path().join(MASTER_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn key_digests_depend_on_the_master_key() {
        let a = MasterKey([1; 32]).key_hasher().digest("gwk_x");
        let b = MasterKey([2; 32]).key_hasher().digest("gwk_x");
        assert_ne!(a, b);
    }
}
