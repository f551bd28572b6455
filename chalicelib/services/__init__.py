"""Use cases: each module is one family of things the portal or its administrators do.

Journeys, one entry each, hop by hop (entrypoint, service, then the adapters and rules it
uses), so that "what happens when someone registers" takes a glance, not a grep:

- Registration or reset: api.accounts.request_registration / request_password_reset
  -> registration.request_email -> mail.queue.enqueue -> SQS -> workers.mail.send_requested_email
  -> outgoing_mail.handle_mail_request (domain.mail_policy.email_for, store.mail_log.mail_since / claim_attempt,
  store.accounts.create_pending_account, store.tokens.save_token) -> domain.email_templates.letter / build_message
  -> mail.ses.send_raw_email -> store.mail_log.mark_sent
- Link and password creation: api.accounts.check_token / create_password -> links.check_link / set_password_with_link
  (store.tokens.find_token, store.accounts.find_account / activate_with_link) -> store.sessions.delete_voter_sessions,
  throttle.clear_address, registration.request_notice (the "password changed" email, then the worker's hops above)
- Sign-in: api.accounts.sign_in -> sessions.sign_in -> throttle.Throttle(domain.throttling.SIGN_IN).check
  -> store.voters.find_listed_voter, store.accounts.find_account -> Throttle.record_failure / record_success
  -> store.sessions.save_session
- Claim: api.espace.file_claim / public_claim -> claims.file_ballot_claim / file_public_claim
  (throttle.within_hourly_limit) -> store.claims.file_claim -> registration.request_notice (receipt);
  admin.cli.claims_command -> claims.answer_claim -> registration.request_notice (answer)
- Public election files: api.elections.sealed_elections / published_file -> elections.sealed_elections /
  published_file (domain.elections: the id and the file name, before any read) -> store.bureaus.sealed_elections /
  sealed_election (sealed? and φ), store.bureaus.get_file
- Import: admin.cli.import_ballots_command -> ballot_import.import_ballots (domain.seals: a sealed ballot
  changed is refused) -> store.ballots.save_ballots (conditional: not sealed, same bureau);
  admin.cli.import_voters_command -> voter_import.import_voters (csv_file.stage_file -> staging.Staging,
  store.voters.stored_voters, _refuse_sealed_list_changes (domain.voter_rows.lists_touched,
  domain.seals), _prune_missing -> store.accounts.accounts_of, suspensions.end_sessions
  (store.accounts.void_sessions, store.sessions.delete_voter_sessions) / store.voters.mark_removed,
  _apply_changes -> per chunk, first suspensions.suspend_moved_accounts (domain.address_changes.moved_from,
  store.accounts.accounts_of / suspend_for_address_change, mail.queue.enqueue_batch: the
  address_changed notice and the address_confirmation link, then the worker's hops above,
  store.sessions.delete_voter_sessions), then writer.ChunkWriter -> store.electoral_list.change_entries
  + store.voters.save_voters) -> admin.render.voter_import
- Campaign: admin.campaigns (plan) -> campaigns.plan_campaign (survey: campaign_walk.read_page / classify,
  domain.campaigns.exclusion) -> store.campaigns.create_campaign; (start) campaigns.start_campaign
  -> store.campaigns.create_units / change_state -> mail.queue.enqueue_batch (CAMPAIGN_WALK) -> SQS
  -> workers.campaigns.walk_campaign -> campaign_walk.walk_page (store.voters.scan_page or
  store.electoral_list.voter_ids_page + store.voters.voters_by_id, store.accounts.accounts_of,
  store.deliverability.statuses_of, store.campaign_deliveries.queue_delivery, mail.queue.enqueue_batch
  (CAMPAIGN_MAIL), store.campaigns.commit_page, the next page) -> SQS -> workers.campaigns.send_campaign_email
  -> campaign_mail.send_campaign_email (store.campaign_deliveries.find_delivery / claim_send,
  store.accounts.prepare_for_campaign, store.tokens.save_token, mail.ses.send_raw_email with tags,
  store.campaign_deliveries.settle); SES's reports -> workers.deliverability (settle: bounced, complained);
  the link -> links.set_password_with_link -> store.accounts.activate_with_link (counts `activated`)
- Statistics: admin.cli.stats_command -> helpdesk.election_stats -> activation_report.activation_report
  (store.activation: parallel scan + accounts per page) -> admin.render.stats / admin.activation_html.write_report;
  bounces export: helpdesk.bounced_addresses -> admin.bounces.write_bounces_csv
"""
