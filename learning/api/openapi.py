"""The OpenAPI 3.0 document for /api/v1/, written by hand; tests check every response against it.

A number that would describe fewer than five people is null, next to "hidden": true. The schemas
say so exactly (oneOf a shown and a hidden variant), so a client, and the tests, can rely on it.
"""

from __future__ import annotations

MONTH_PATTERN = r"^(20[0-9][0-9]|2100)-(0[1-9]|1[0-2])$"

_STRING = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_MAYBE_COUNT = {"type": "integer", "minimum": 0, "nullable": True}
_MAYBE_PERCENT = {"type": "number", "minimum": 0, "nullable": True,
                  "description": "Procent med en decimal; null utan nämnare."}
_NULL_COUNT = {"type": "integer", "nullable": True, "enum": [None]}
_NULL_PERCENT = {"type": "number", "nullable": True, "enum": [None]}
_VOIDED = ("Godkännanden som inte räknas längre: kunskapstestet ändrades och måste göras om (en redaktör "
           "publicerade det med kravet). De räknas ingenstans förrän deltagaren klarar det nya testet; null när "
           "antalet döljs för att skydda små grupper.")


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties,
              "additionalProperties": False}
    return {**schema, "description": description} if description else schema


def _shown_or_hidden(fixed: dict, shown: dict, hidden: dict, description: str) -> dict:
    """Two variants told apart by "hidden": the numbers, or nulls where the group is too small."""
    return {"description": description, "oneOf": [
        _object({**fixed, **shown, "hidden": {"type": "boolean", "enum": [False]}}),
        _object({**fixed, **hidden, "hidden": {"type": "boolean", "enum": [True]}}),
    ]}


_SHOWN_FIGURES = {
    "registered": {**_COUNT, "description": "Konton i förvaltningen, skapade före periodens slut."},
    "started": {**_COUNT, "description": "Registrerade som har öppnat minst en del."},
    "completed": {**_COUNT, "description": "Klara med kursen under perioden."},
    "completion_rate": {**_MAYBE_PERCENT, "description": "Genomförandegrad: completed / registered, i procent."},
    "staff": {**_MAYBE_COUNT, "description": "Anställda enligt personallistan eller inmatat antal; null om uppgift saknas."},
    "covered": {**_MAYBE_COUNT, "description": "Anställda som har klarat kursen och har ett giltigt intyg (för en "
                                               "kurs vars intyg gäller en begränsad tid); null om staff saknas."},
    "coverage": {**_MAYBE_PERCENT, "description": "Täckning: covered / staff, i procent."},
    "covered_ever": {**_MAYBE_COUNT, "description": "Anställda som har klarat kursen någon gång, giltigt intyg "
                                                    "eller inte; samma som covered om intyget inte går ut."},
}
_HIDDEN_FIGURES = {name: (_NULL_PERCENT if "rate" in name or name == "coverage" else _NULL_COUNT)
                   for name in _SHOWN_FIGURES}
_FIGURES_TEXT = ("Siffror; alla är null och hidden är true när gruppen är för liten (färre än fem personer) "
                 "eller när den tillsammans med stadens eller andra förvaltningars siffror skulle avslöja en sådan grupp.")
_ORGANISATION = {"type": "object", "nullable": True, "required": ["code", "name"], "additionalProperties": False,
                 "properties": {"code": _STRING, "name": _STRING},
                 "description": "Förvaltningen som frågan gällde, eller null för hela behörigheten."}


_ASSIGNMENT_FIGURES = {
    "assigned": {**_COUNT, "description": "Personer som har kursen tilldelad i dag."},
    "completed_on_time": {**_COUNT, "description": "Tilldelade som blev klara senast sitt datum (och är giltiga)."},
    "completed_late": {**_COUNT, "description": "Tilldelade som blev klara efter sitt datum (och är giltiga)."},
    "overdue": {**_COUNT, "description": "Tilldelade som inte är klara och vars datum har passerat."},
    "not_yet_due": {**_COUNT, "description": "Tilldelade som inte är klara och vars datum inte har passerat."},
}


def _counted(fixed: dict, count_name: str, description: str) -> dict:
    return _shown_or_hidden(fixed, {count_name: _COUNT}, {count_name: _NULL_COUNT}, description)


_MAYBE_TEXT = {"type": "string", "nullable": True}
_DECIMAL = {"type": "string", "nullable": True, "pattern": r"^[0-9]+(\.[0-9]+)?$",
            "description": "Ett tal med punkt som decimaltecken (t.ex. 4.28); null när det är dolt eller saknas."}


def _council_schemas() -> dict:
    """The council report's figures, as stored in a snapshot: the course's and the programme's."""
    ref = {name: {"$ref": f"#/components/schemas/{name}"} for name in
           ("CouncilSource", "CouncilOrganisation", "CouncilGender", "CouncilEvaluation", "CouncilPeriod")}
    themes = {"type": "array", "description": "De vanligaste temana i fritextsvaren: [tema, antal svar].",
              "items": {"type": "array", "minItems": 2, "maxItems": 2,
                        "items": {"oneOf": [_STRING, _COUNT]}}}
    evaluation = {
        "withheld": {**_MAYBE_TEXT, "description": "Varför utvärderingen inte visas för perioden, annars null."},
        "responses": {**_MAYBE_COUNT, "description": "Svar; null när de är för få eller inte visas."},
        "completions": {**_COUNT, "description": "Kursavslut under perioden (svarsfrekvensens nämnare)."},
        "rate": {**_DECIMAL, "description": "Svarsfrekvens i procent med en decimal; null när den inte visas."},
        "items": {"type": "array", "items": _object({"text": _STRING, "mean": _DECIMAL, "n": _MAYBE_COUNT})},
    }
    common = {
        "period": ref["CouncilPeriod"],
        "sources": {"type": "array", "items": ref["CouncilSource"]},
        "source_sum": {**_COUNT, "description": "Källornas deltagare summerade."},
        "total": {**_COUNT, "description": "Personer: kända till namn och e-post en gång, kända bara som antal tillagda."},
        "known": {**_COUNT, "description": "Personer kända till namn och e-post, en gång var."},
        "counted_once_less": {"type": "integer", "description": "source_sum minus total."},
        "organisations": {"type": "array", "items": ref["CouncilOrganisation"]},
        "organisations_total_hidden": {"type": "boolean",
                                       "description": "Sant när för få deltog för att visa förvaltningar alls."},
        "gender": {"type": "array", "items": ref["CouncilGender"]},
        "gender_known": {**_MAYBE_COUNT, "description": "Deltagare med känt kön; null när en kökscell är dold."},
    }
    return {
        "CouncilPeriod": _object({"start": {**_STRING, "pattern": MONTH_PATTERN},
                                  "end": {**_STRING, "pattern": MONTH_PATTERN}}),
        "CouncilSource": {"type": "object", "additionalProperties": False,
                          "required": ["key", "label", "participants", "sessions"],
                          "properties": {"key": _STRING, "label": _STRING, "participants": _COUNT,
                                         "sessions": {**_MAYBE_COUNT, "description": "Tillfällen; null för webb och grupp."},
                                         "named": _COUNT, "counted": _COUNT,
                                         "course": {**_STRING, "description": "Kursens kortnamn (programmets "
                                                                             "webb- och gruppkällor)."}}},
        "CouncilOrganisation": _object({"name": _STRING, "participants": {
            **_MAYBE_COUNT, "description": "null: för få, eller skulle avslöja en för liten grupp."}}),
        "CouncilGender": _object({"key": {**_STRING, "enum": ["kvinna", "man", "annat", "okant"]}, "label": _STRING,
                                  "n": _MAYBE_COUNT, "share": _DECIMAL}),
        "CouncilEvaluation": _object(evaluation),
        "CouncilReport": _object({
            **common, "survey": ref["CouncilEvaluation"],
            "visits": _object({"visits": _COUNT, "unique": _COUNT}), "themes": themes},
            "En kurs återrapport: kursens egna kursavslut, gruppvisningar och tillfällen."),
        "ProgrammeReport": _object({
            **common,
            "anonymous": {**_COUNT, "description": "Deltagare kända bara som antal (grupper, antal per förvaltning)."},
            "courses": {"type": "array", "items": _object({
                "slug": _STRING, "title": _STRING,
                "base": {"type": "boolean", "description": "Sant för grundkursen (bygger inte på en annan kurs)."},
                "web": _COUNT, "group": _COUNT, "sessions": _COUNT,
                "participants": {**_COUNT, "description": "Totalen i kursens egen återrapport."}})},
            "untied": _object({"participants": _COUNT, "sessions": _COUNT},
                              "Tillfällen som inte hör till någon kurs (räknas bara i programmet)."),
            "in_several": {**_COUNT, "description": "Kända personer som räknas i flera kurser eller i tillfällen "
                                                    "utan kurs: kursernas totaler + untied − total."},
            "split": _object({"base": _COUNT, "deeper": _COUNT, "both": _COUNT},
                             "Grundutbildningen, fördjupningar och workshoppar, och de som deltog i båda."),
            "evaluations": {"type": "array", "items": _object({"slug": _STRING, "title": _STRING, **evaluation,
                                                               "themes": themes})},
            "visits": {"type": "array", "items": _object({"slug": _STRING, "title": _STRING,
                                                          "visits": _COUNT, "unique": _COUNT})},
        }, "Hela programmets återrapport: alla kurser, tillfällen och gruppvisningar, varje känd person en gång."),
    }


def _schemas() -> dict:
    ref = {name: {"$ref": f"#/components/schemas/{name}"} for name in
           ("Course", "Period", "Figures", "Row", "Part", "Breakdown", "Month")}
    header = {"course": ref["Course"], "period": ref["Period"], "forvaltning": _ORGANISATION}
    return {
        **_council_schemas(),
        "Error": _object({"error": {**_STRING, "description": "Vad som gick fel, på svenska."}}),
        "Course": _object({"slug": _STRING, "title": _STRING}),
        "CourseList": _object({"courses": {"type": "array", "items": ref["Course"]}}),
        "Period": _object({"fran": {**_STRING, "pattern": MONTH_PATTERN}, "till": {**_STRING, "pattern": MONTH_PATTERN}},
                          "Perioden som siffrorna gäller, hela månader i svensk tid."),
        "Figures": _shown_or_hidden({}, _SHOWN_FIGURES, _HIDDEN_FIGURES, _FIGURES_TEXT),
        "Row": _shown_or_hidden(
            {"forvaltning": {**_STRING, "nullable": True, "description": "Förvaltningens kod; null i totalraden."},
             "name": _STRING},
            _SHOWN_FIGURES, _HIDDEN_FIGURES, _FIGURES_TEXT),
        "Part": _counted({"slug": _STRING, "title": _STRING, "voided": {**_MAYBE_COUNT, "description": _VOIDED}},
                         "passed", "Godkända i en del sedan starten, till periodens slut (godkännanden som inte "
                                   "räknas längre ingår inte)."),
        "Breakdown": _counted(
            {"key": {**_STRING, "nullable": True, "description": "Kod (t.ex. chef, kvinna); null för Ej angivet."},
             "label": _STRING}, "completed", "Klara under perioden i en grupp."),
        "Month": _counted({"month": {**_STRING, "pattern": MONTH_PATTERN}}, "completed", "Klara under en månad."),
        "Participation": _object({
            **header,
            "totals": ref["Figures"],
            "parts": {"type": "array", "items": ref["Part"]},
            "by_role": {"type": "array", "items": ref["Breakdown"]},
            "by_gender": {"type": "array", "items": ref["Breakdown"]},
            "trend": {"type": "array", "items": ref["Month"],
                      "description": "Klara per månad, från den första månaden med någon klar."},
        }),
        "Completion": _object({**header, "rows": {"type": "array", "items": ref["Row"]}, "total": ref["Row"]}),
        "AssignmentFigures": _shown_or_hidden(
            {"name": _STRING}, _ASSIGNMENT_FIGURES, {n: _NULL_COUNT for n in _ASSIGNMENT_FIGURES},
            "Tilldelningar i en enhet; alla tal är null och hidden är true när gruppen är för liten (färre än fem "
            "personer) eller skulle kunna räknas fram ur andra siffror."),
        "AssignmentRow": _shown_or_hidden(
            {"forvaltning": {**_STRING, "nullable": True, "description": "Förvaltningens kod; null i totalraden."},
             "name": _STRING,
             "units": {"type": "array", "items": {"$ref": "#/components/schemas/AssignmentFigures"},
                       "description": "Förvaltningens enheter enligt personallistan (”Utan enhet” för dem som saknar)."}},
            _ASSIGNMENT_FIGURES, {n: _NULL_COUNT for n in _ASSIGNMENT_FIGURES},
            "Tilldelningar i en förvaltning; null och hidden true som i enheterna."),
        "AssignmentTotal": _shown_or_hidden(
            {"forvaltning": {**_STRING, "nullable": True, "enum": [None]}, "name": _STRING},
            _ASSIGNMENT_FIGURES, {n: _NULL_COUNT for n in _ASSIGNMENT_FIGURES}, "Summan för förvaltningarna i svaret."),
        "Assignments": _object({
            "course": ref["Course"],
            "date": {**_STRING, "format": "date", "description": "Dagen som läget gäller (i dag, svensk tid)."},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/AssignmentRow"}},
            "total": {"$ref": "#/components/schemas/AssignmentTotal"},
        }),
        "QuizAnalysis": _object({
            "course": ref["Course"],
            "parts": {"type": "array", "items": _object({
                "slug": _STRING, "title": _STRING, "learners": {"type": "integer", "minimum": 0, "description": (
                    "Personer som har gjort det nuvarande testet. Försök från före den senaste ändringen som måste "
                    "göras om räknas i earlier_attempts, inte här eller i andelarna och snitten.")},
                "first_attempt_pass_rate": {"type": "number", "nullable": True,
                                            "description": "Procent godkända på första försöket; null under fem personer."},
                "mean_attempts_to_pass": {"type": "number", "nullable": True,
                                          "description": "Försök i snitt för att bli godkänd; null under fem personer."},
                "passed": {**_MAYBE_COUNT, "description": "Godkända som räknas, som i deltagandet; null under fem."},
                "voided": {**_MAYBE_COUNT, "description": _VOIDED},
                "earlier_attempts": {**_MAYBE_COUNT, "description": "Försök på kunskapstestet före den senaste ändringen "
                                     "som måste göras om; de ingår inte i övriga siffror. Null under fem."},
                "questions": {"type": "array", "items": _object({
                    "text": _STRING, "answered": {"type": "integer", "minimum": 0},
                    "share_correct": {"type": "number", "nullable": True,
                                      "description": "Procent rätt svar; null under fem svar."}})},
            })},
        }),
    }


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_AUTH_ERRORS = {"401": {"$ref": "#/components/responses/Unauthorized"},
                "403": {"$ref": "#/components/responses/Forbidden"}}
_REPORT_PARAMETERS = [{"$ref": f"#/components/parameters/{name}"} for name in ("slug", "fran", "till", "forvaltning")]


def _report(operation_id: str, summary: str, schema: str) -> dict:
    return {"get": {
        "operationId": operation_id,
        "summary": summary,
        "parameters": _REPORT_PARAMETERS,
        "responses": {
            "200": _ok(schema, summary),
            "400": {"$ref": "#/components/responses/BadRequest"},
            **_AUTH_ERRORS,
            "404": {"$ref": "#/components/responses/NotFound"},
        },
    }}


def _month_parameter(name: str, description: str) -> dict:
    # Empty is allowed and means the default, as when the dashboard's period fields are left blank.
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "pattern": f"^({MONTH_PATTERN[1:-1]})?$", "example": "2026-03"}}


def document() -> dict:
    """The whole document, as served at /api/v1/openapi.json."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Malmö stad lär: rapporter",
            "version": "1.0.0",
            "description": (
                "Läs siffrorna från rapporterna om genomförande och täckning, till exempel för att föra in dem "
                "i stadens uppföljningsverktyg. Skapa en API-nyckel under API-nycklar och skicka den i huvudet "
                "Authorization: Bearer <nyckel>. Nyckeln ger samma behörighet som kontot har till rapporterna: "
                "samordnare ser hela staden, HR bara sina förvaltningar. Grupper med färre än fem personer "
                "döljs precis som på sidorna: talet är då null och hidden är true. Okända eller upprepade "
                "parametrar ger 400, så att ett felstavat namn inte ger andra siffror än man tror."),
        },
        "paths": {
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "Det här dokumentet.",
                "security": [],
                "responses": {"200": {"description": "OpenAPI-dokumentet.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/api/v1/courses": {"get": {
                "operationId": "listCourses",
                "summary": "Kurserna som finns på plattformen.",
                "responses": {"200": _ok("CourseList", "Kurserna."),
                              "400": {"$ref": "#/components/responses/BadRequest"}, **_AUTH_ERRORS},
            }},
            "/api/v1/courses/{slug}/participation": _report(
                "participation", "Deltagande: totalt, per del, per roll, per kön och per månad.", "Participation"),
            "/api/v1/courses/{slug}/completion": _report(
                "completion", "Genomförande och täckning per förvaltning, med totalrad.", "Completion"),
            "/api/v1/courses/{slug}/assignments": {"get": {
                "operationId": "assignments",
                "summary": "Tilldelningar i dag per förvaltning och enhet: tilldelade, klara i tid, klara efter "
                           "datumet, försenade och inte försenade än.",
                "parameters": [{"$ref": "#/components/parameters/slug"},
                               {"$ref": "#/components/parameters/forvaltning"}],
                "responses": {"200": _ok("Assignments", "Tilldelningarna."),
                              "400": {"$ref": "#/components/responses/BadRequest"}, **_AUTH_ERRORS,
                              "404": {"$ref": "#/components/responses/NotFound"}},
            }},
            "/api/v1/council": {"get": {
                "operationId": "programmeCouncilReport",
                "summary": "Återrapporten för hela programmet (bara samordnare), som på /rapporter/aterrapport.",
                "parameters": [{"$ref": "#/components/parameters/council_fran"},
                               {"$ref": "#/components/parameters/council_till"}],
                "responses": {"200": _ok("ProgrammeReport", "Siffrorna."),
                              "400": {"$ref": "#/components/responses/BadRequest"}, **_AUTH_ERRORS},
            }},
            "/api/v1/courses/{slug}/council": {"get": {
                "operationId": "courseCouncilReport",
                "summary": "En kurs återrapport (bara samordnare), som på /rapporter/{slug}/aterrapport.",
                "parameters": [{"$ref": "#/components/parameters/slug"},
                               {"$ref": "#/components/parameters/council_fran"},
                               {"$ref": "#/components/parameters/council_till"}],
                "responses": {"200": _ok("CouncilReport", "Siffrorna."),
                              "400": {"$ref": "#/components/responses/BadRequest"}, **_AUTH_ERRORS,
                              "404": {"$ref": "#/components/responses/NotFound"}},
            }},
            "/api/v1/courses/{slug}/quiz": {"get": {
                "operationId": "quizAnalysis",
                "summary": "Analys av kunskapstesten per del och fråga (bara samordnare).",
                "parameters": [{"$ref": "#/components/parameters/slug"}],
                "responses": {"200": _ok("QuizAnalysis", "Analysen."),
                              "400": {"$ref": "#/components/responses/BadRequest"}, **_AUTH_ERRORS,
                              "404": {"$ref": "#/components/responses/NotFound"}},
            }},
        },
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "En personlig API-nyckel (börjar med lrn_) som en samordnare har skapat."}},
            "parameters": {
                "slug": {"name": "slug", "in": "path", "required": True, "description": "Kursens kortnamn.",
                         "schema": {"type": "string", "example": "grundkurs"}},
                "fran": _month_parameter("fran", "Första månaden, ÅÅÅÅ-MM. Tomt eller utelämnat: från början."),
                "till": _month_parameter("till", "Sista månaden, ÅÅÅÅ-MM. Tomt eller utelämnat: innevarande månad."),
                "council_fran": _month_parameter("fran", "Första månaden, ÅÅÅÅ-MM. Tomt eller utelämnat: "
                                                         "innevarande halvårs första månad."),
                "council_till": _month_parameter("till", "Sista månaden, ÅÅÅÅ-MM. Tomt eller utelämnat: "
                                                         "innevarande halvårs sista månad."),
                "forvaltning": {"name": "forvaltning", "in": "query", "required": False,
                                "description": "Bara en förvaltning, med dess kod (t.ex. fsk).",
                                "schema": {"type": "string", "example": "fsk"}},
            },
            "responses": {
                "BadRequest": _error("Perioden går inte att läsa, eller en parameter är okänd eller upprepad."),
                "Unauthorized": {**_error("API-nyckel saknas, är ogiltig eller återkallad."), "headers": {
                    "WWW-Authenticate": {"description": "Bearer: skicka en API-nyckel.", "schema": _STRING}}},
                "Forbidden": _error("Kontot har inte behörighet till rapporterna eller till förvaltningen."),
                "NotFound": _error("Kursen eller förvaltningen finns inte."),
            },
            "schemas": _schemas(),
        },
        "security": [{"bearer": []}],
    }
