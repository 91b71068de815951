//! The endpoint codec: one module per endpoint, each with a pure `build` that makes an
//! `http::Request<Vec<u8>>` and a pure `parse` that reads an `http::Response<Vec<u8>>`.
//!
//! Builders produce the *logical* request (the real `https://` host, no cookies, no
//! User-Agent); the session state machine adds cookies and headers and applies the
//! origin override of [`crate::relay`].

pub mod ctx;
pub mod js;
pub mod request;

pub mod batchgetcontact;
pub mod checkupload;
pub mod createchatroom;
pub mod getcontact;
pub mod getheadimg;
pub mod geticon;
pub mod getmedia;
pub mod getmsgimg;
pub mod getvideo;
pub mod getvoice;
pub mod init;
pub mod jslogin;
pub mod login;
pub mod logout;
pub mod newloginpage;
pub mod oplog;
pub mod pushloginurl;
pub mod revokemsg;
pub mod sendappmsg;
pub mod sendemoticon;
pub mod sendmsg;
pub mod sendmsgimg;
pub mod sendvideomsg;
pub mod statusnotify;
pub mod sync;
pub mod synccheck;
pub mod updatechatroom;
pub mod uploadmedia;
pub mod verifyuser;

pub use ctx::{LoginCtx, SessionCtx};
