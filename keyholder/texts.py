"""Every sentence the key holders' tool prints, in French, for people who are not engineers.

Errors say what happened, that nothing was changed, and what to do. `{who}` is a key
holder's name and place in the bureau, for example « Délégué CGT (del-3) ».
"""

CEREMONY_ERRORS = {
    "bad_signature": "Le message de {who} ne porte pas une signature valide : il a été modifié après "
    "avoir été signé, ou il ne vient pas de cette personne.",
    "bad_message": "Le message de {who} est illisible ou incomplet ({detail}).",
    "wrong_round": "Le fichier de {who} n'est pas celui de l'étape attendue.",
    "wrong_election": "Le message de {who} concerne une autre élection.",
    "wrong_ceremony": "Le message de {who} appartient à une autre cérémonie des clés (ou à une tentative précédente).",
    "bad_commitments": "Les engagements publiés par {who} ne sont pas valides.",
    "commitments_changed": "Les engagements publiés par {who} ne sont pas ceux annoncés à la première étape.",
    "bad_pok": "La preuve publiée par {who} est fausse.",
    "missing_shares": "Le message de {who} ne contient pas une part pour chaque membre de son groupe.",
    "bad_verification_key": "La clé de vérification publiée par {who} ne correspond pas aux engagements.",
    "unknown_member": "{who} ne fait pas partie de la composition du bureau.",
    "bad_roster": "La composition du bureau (roster.json) est invalide ({detail}).",
    "bad_trustees": "Le fichier trustees.json ne correspond pas aux messages signés de la cérémonie ({detail}).",
    "inconsistent_key": "Votre part de clé ne correspond pas aux engagements publiés.",
}
NOTHING_CHANGED = "Rien n'a été modifié. Prévenez le président du bureau de vote."

KEYFILE_ERRORS = {
    "missing": "Le fichier de clé {path} est introuvable. Indiquez son chemin avec --key.",
    "exists": "Un fichier de clé existe déjà : {path}. Il n'a pas été remplacé. Si c'est une nouvelle "
    "cérémonie, choisissez un autre nom avec --key.",
    "unreadable": "Le fichier {path} n'est pas un fichier de clé de bureau de vote, ou il est abîmé.",
    "wrong_passphrase": "Phrase de passe incorrecte, ou fichier de clé modifié. Rien n'a été changé ; "
    "vous pouvez réessayer.",
    "mismatch": "Le fichier de clé {path} a été modifié : son en-tête ne correspond pas à son contenu.",
    "weak_cost": "Le fichier de clé {path} n'a pas été protégé avec les réglages attendus : il a "
    "peut-être été modifié.",
}

MISSING_FILE = {
    "roster.json": "Le dossier {folder} ne contient pas roster.json : ce n'est pas un dossier de "
    "cérémonie, ou le bureau ne l'a pas encore préparé (bureau ceremony).",
    "round1.json": "Le dossier ne contient pas encore round1.json : tous les membres n'ont pas fait "
    "l'étape 1 (init), ou le bureau n'a pas encore relevé le dossier.",
    "round2.json": "Le dossier ne contient pas encore round2.json : tous les membres n'ont pas fait "
    "l'étape 2 (shares), ou le bureau n'a pas encore relevé le dossier.",
    "trustees.json": "Le dossier ne contient pas trustees.json : la cérémonie des clés n'est pas terminée.",
    "election.json": "Le dossier ne contient pas election.json : la cérémonie des clés n'est pas terminée.",
    "seal-manifest.json": "Le dossier ne contient pas seal-manifest.json : le bureau n'a pas encore "
    "préparé le scellement (bureau seal).",
    "tally.json": "Le dossier ne contient pas tally.json : le dépouillement n'a pas encore produit les totaux.",
    "seal-close-manifest.json": "Le dossier ne contient pas seal-close-manifest.json : le bureau n'a pas "
    "encore préparé la clôture.",
    "seal-close.json": "Le dossier ne contient pas seal-close.json : la clôture n'est pas encore scellée.",
    "seal-open.json": "Le dossier ne contient pas seal-open.json : le bureau n'a pas encore scellé l'élection "
    "(bureau seal), ou ce n'est pas le dossier du bureau.",
}
NOT_JSON = "Le fichier {path} est abîmé (ce n'est pas du JSON). Rien n'a été modifié."

PASSPHRASE_PROMPT = "Phrase de passe : "
PASSPHRASE_AGAIN = "Retapez la phrase de passe : "
PASSPHRASE_NEW_HELP = (
    "Choisissez une phrase de passe d'au moins {minimum} caractères, que vous seul connaissez "
    "(par exemple quatre mots sans rapport). Elle ne pourra pas être récupérée : sans elle, votre "
    "clé est perdue."
)
PASSPHRASE_SHORT = "La phrase de passe doit compter au moins {minimum} caractères. Rien n'a été créé."
PASSPHRASE_DIFFERENT = "Les deux phrases de passe sont différentes. Rien n'a été créé."
NO_PASSPHRASE = "Aucune phrase de passe reçue. Rien n'a été fait."

KEY_IN_FOLDER = (
    "Votre fichier de clé ne doit pas être rangé dans le dossier de la cérémonie, qui passe de main en "
    "main ({path}). Choisissez un autre endroit avec --key, par exemple dans votre dossier personnel. "
    "Rien n'a été créé."
)
CHOOSE_MEMBER = "Qui êtes-vous ? Tapez le numéro de votre ligne : "
UNKNOWN_MEMBER = "« {member} » ne fait pas partie de ce bureau. Membres : {members}."
MEMBER_LINE = "  {label:7} {role:12} {name}"
ROLE_NAMES = {"president": "président", "secretary": "secrétaire", "delegate": "délégué"}
ALREADY_DEPOSITED = "Le dossier contient déjà votre message de cette étape ({path}). Rien n'a été fait."
WRONG_KEY = "Ce fichier de clé est celui de {key}, pas d'un membre de ce bureau-ci ({expected})."
NOT_IN_ROUND1 = (
    "round1.json ne contient pas votre message de l'étape 1 tel que vous l'avez fait : "
    "le dossier a été modifié, ou il s'agit d'une autre cérémonie."
)
ROUND1_HASH = "round1.json annonce une empreinte de cérémonie qui ne correspond pas à ses messages."
NO_KEY_SHARE = "Votre fichier de clé ne contient pas encore de part de clé : faites d'abord l'étape 3 (check)."
ALREADY_SIGNED = "Vous avez déjà signé exactement ce document. Rien n'a été fait."
UNSAFE_DEPOT = (
    "Le dossier {path} est un lien vers un autre endroit de l'ordinateur : par prudence, rien n'y a "
    "été écrit. Prévenez le président du bureau."
)
FINGERPRINTS = (
    "Avant d'envoyer vos parts, vérifiez les clés du bureau. Empreintes (chacune doit être celle que "
    "son détenteur a lue à voix haute à l'étape 1) :"
)
FINGERPRINT_LINE = "  {fingerprint}  {who}"
CEREMONY_CODE = (
    "Code de la cérémonie : {code}\n"
    "Le président le lit à voix haute : il doit être exactement le même sur l'écran de chaque membre. "
    "Sinon quelqu'un voit d'autres clés que vous : arrêtez et prévenez le bureau."
)
CONFIRM_KEYS = "Les empreintes et le code sont-ils les bons ? Tapez « oui » pour envoyer vos parts : "
STEP_ALREADY_DONE = "Votre fichier de clé a déjà terminé l'étape 3 de cette cérémonie. Rien n'a été fait."

INIT_DONE = (
    "Votre clé est créée et protégée par votre phrase de passe : {key}\n"
    "Gardez ce fichier sur votre ordinateur (ou une clé USB personnelle), jamais dans le dossier "
    "de la cérémonie.\n"
    "Votre message de l'étape 1 est dans {deposit}.\n"
    "Empreinte de votre clé : {fingerprint}\n"
    "Lisez-la à voix haute au président du bureau : elle doit être celle que montre « bureau status ».\n"
    "Rendez le dossier au bureau."
)
SHARES_DONE = (
    "Étape 2 faite : vos engagements et les parts chiffrées pour les autres membres de votre groupe "
    "sont dans {deposit}.\nRendez le dossier au bureau."
)
CHECK_DONE = (
    "Étape 3 faite : les parts reçues des {count} autres membres de votre groupe sont justes.\n"
    "Votre part de la clé de déchiffrement est enregistrée dans votre fichier de clé, et votre clé "
    "de vérification dans {deposit}.\nRendez le dossier au bureau."
)
COMPLAINT = (
    "ATTENTION : la part que vous a envoyée {who} est fausse ({reason}).\n"
    "Une réclamation signée, qui le montre, est dans {deposit}. Votre clé n'a pas été complétée.\n"
    "Rendez le dossier au bureau : la cérémonie doit être recommencée."
)
COMPLAINT_REASONS = {
    "share_mismatch": "elle ne correspond pas à ses engagements publics",
    "share_unreadable": "elle ne peut pas être ouverte avec votre clé",
    "share_unsigned": "elle ne porte pas sa signature",
    "share_misaddressed": "elle était destinée à une autre cérémonie ou à un autre membre",
}
SEAL_SUMMARY = (
    "Vous allez signer le scellement de l'élection « {name} ».\n"
    "  Scrutins : {scrutins}\n"
    "  Ouverture du vote : {opens}   Clôture : {closes}\n"
    "  Empreinte de l'élection (φ) : {phi}\n"
    "  Manifeste : {manifest_hash}\n"
    "  Clé de signature du serveur, qui signera la clôture : {server}\n"
    "La clé publique et la cérémonie ont été vérifiées à partir des fichiers."
)
CONFIRM = "Confirmez-vous ? Tapez « oui » pour continuer : "
NOT_CONFIRMED = "Vous n'avez pas confirmé. Rien n'a été signé ni déchiffré."
MANIFEST_MISMATCH = (
    "Le manifeste de scellement ne correspond pas aux fichiers de l'élection ({what}). Rien n'a été signé."
)
SEAL_DONE = "Scellement signé : {deposit}.\nRendez le dossier au bureau."
ELECTION_MISMATCH = "election.json ne correspond pas à trustees.json ({what}). Rien n'a été fait."
TALLY_REFUSED = (
    "Refusé : ce n'est pas l'urne scellée de cette élection ({what}). Votre clé ne déchiffre que "
    "les totaux de toute l'urne, recalculés ici à partir des bulletins, après une clôture signée "
    "par le président ou le secrétaire, un délégué et le serveur. Rien n'a été déchiffré."
)
SEAL_REFUSED = (
    "Refusé : seal-open.json n'est pas le scellement de cette élection ({what}). Rien n'a été signé ni déchiffré."
)
CLOSE_REFUSED = "Refusé : le manifeste de clôture ne correspond pas à cette élection ({what}). Rien n'a été signé."
CLOSE_SUMMARY = "Vous allez signer la clôture de l'élection « {name} » :"
CLOSE_LINE = "  {id} : {ballots} bulletins dans l'urne, {emargements} émargements"
CLOSE_DONE = "Clôture signée : {deposit}.\nRendez le dossier au bureau."
SUMMING = "Lecture de l'urne de {id} ({ballots} bulletins)…"
DECRYPT_SUMMARY = "Vous allez déchiffrer les totaux de l'élection « {name} » : {scrutins}."
DECRYPT_DONE = "Déchiffrement partiel fait, avec ses preuves : {deposit}.\nRendez le dossier au bureau."
SHOW = (
    "Fichier de clé de {member} pour l'élection {election}.\n"
    "Protection : Argon2id ({cost}). Son contenu ne se lit qu'avec la phrase de passe."
)
ERROR = "Erreur : {message}"
