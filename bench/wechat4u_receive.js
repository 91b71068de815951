// wechat4u's receive path on a webwxsync body, in one process (the peer of
// `webwx decode sync`): the answer's JSON.parse (axios does it in wechat4u), then
// handleSync -> handleMsg -> Message.extend -> the 'message' event, with the friends
// and the groups (member lists included) loaded through wechat4u's own updateContacts,
// as after login. Nothing touches the network (every sender is a known contact).
//
//   node wechat4u_receive.js sync SYNC_BODY STORES   -> prints the number of 'message' events
//   node wechat4u_receive.js contacts CONTACTS_BODY  -> prints the number of contacts
//
// `contacts`: what wechat4u does with a webwxgetcontact answer (JSON.parse, then
// updateContacts, which makes each a Contact).
'use strict'
const fs = require('fs')
const path = require('path')
const Wechat = require(path.join(process.env.WECHAT4U_DIR || '.', 'node_modules', 'wechat4u'))

const [mode, bodyPath, storesPath] = process.argv.slice(2)
if (mode === 'contacts') {
  const bot = new Wechat()
  const data = JSON.parse(fs.readFileSync(bodyPath, 'utf8'))
  bot.updateContacts(data.MemberList)
  console.log(Object.keys(bot.contacts).length)
  process.exit(0)
}
const stores = JSON.parse(fs.readFileSync(storesPath, 'utf8'))
const bot = new Wechat()
bot.user = bot.Contact.extend(Object.assign({}, stores.me))
bot.PROP.uin = stores.me.Uin
// The account itself is among the contacts too (my own messages come from it).
bot.updateContacts([Object.assign({}, stores.me)].concat(stores.friends).map(f => Object.assign({ VerifyFlag: 0 }, f)))
bot.updateContacts(stores.groups.map(g => Object.assign({}, g, { MemberCount: g.MemberList.length })))

let seen = 0
let expected = -1
bot.on('message', () => {
  seen++
  if (seen === expected) {
    console.log(seen)
  }
})
bot.on('error', err => {
  console.error('wechat4u error:', err && err.message)
  process.exitCode = 1
})
// The receive path proper.
const data = JSON.parse(fs.readFileSync(bodyPath, 'utf8'))
expected = data.AddMsgList.length
bot.handleSync(data)
