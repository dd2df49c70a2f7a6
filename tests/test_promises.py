"""find_promise: commitments to update, with their deadlines, in six languages."""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from pathlib import Path

import pytest

from csbridge.standards.promises import Promise, find_promise

DEADLINES = [
    ("en", "I'll get back to you tomorrow once billing has confirmed it.", {"working_days": 1}),
    ("en", "I will update you by Friday at the latest.", {"weekday": 4}),
    ("en", "We'll let you know within 2 hours.", {"within": timedelta(hours=2)}),
    ("en", "Your corrected statement will be emailed within 48 hours.", {"within": timedelta(hours=48)}),
    ("en", "We will be in touch in 30 minutes.", {"within": timedelta(minutes=30)}),
    ("en", "I'll check with the warehouse and get back to you later today.", {"today": True}),
    ("en", "I’ll send you an update next week.", {"next_week": True}),
    ("en", "We'll get back to you within 3 business days.", {"working_days": 3}),
    ("pl", "Odezwę się jutro, jak tylko dział rozliczeń to potwierdzi.", {"working_days": 1}),
    ("pl", "Dam znać najpóźniej do piątku.", {"weekday": 4}),
    ("pl", "Wrócimy z odpowiedzią w ciągu 2 godzin.", {"within": timedelta(hours=2)}),
    ("pl", "Odezwę się w przyszłym tygodniu.", {"next_week": True}),
    ("pl", "Sprawdzę to i odezwę się jeszcze dzisiaj.", {"today": True}),
    ("ru", "Я свяжусь с вами завтра.", {"working_days": 1}),
    ("ru", "Сообщу вам результат до пятницы.", {"weekday": 4}),
    ("ru", "Мы ответим вам в течение 2 часов.", {"within": timedelta(hours=2)}),
    ("ru", "Напишу вам на следующей неделе.", {"next_week": True}),
    ("ca", "Us diré alguna cosa demà.", {"working_days": 1}),
    ("ca", "Us escriuré abans de divendres.", {"weekday": 4}),
    ("ca", "Us respondrem en 2 hores.", {"within": timedelta(hours=2)}),
    ("ca", "Ho comprovo i us escric avui mateix.", {"today": True}),
    ("es", "Le escribiré mañana en cuanto lo confirmen.", {"working_days": 1}),
    ("es", "Le daré una respuesta para el viernes.", {"weekday": 4}),
    ("es", "Le responderemos en 2 horas.", {"within": timedelta(hours=2)}),
    ("es", "Le escribiré la semana que viene.", {"next_week": True}),
    ("es", "Lo consulto y le escribo hoy mismo.", {"today": True}),
    ("de", "Ich melde mich morgen bei Ihnen.", {"working_days": 1}),
    ("de", "Ich gebe Ihnen bis Freitag Bescheid.", {"weekday": 4}),
    ("de", "Wir melden uns innerhalb von 2 Stunden.", {"within": timedelta(hours=2)}),
    ("de", "Ich melde mich nächste Woche wieder.", {"next_week": True}),
    ("de", "Ich melde mich übermorgen.", {"working_days": 2}),
    # round 3 (blind probes): the new wordings read with the right kind of deadline
    ("en", "We will write to you again first thing Monday morning.", {"weekday": 0}),
    ("en", "Rest assured, we'll follow up with you after the weekend.", {"after_weekend": True}),
    ("en", "The technician will reach out to you in the course of the week to arrange a visit.", {"weekday": 4}),
    ("en", "A colleague from our technical department will give you a call tomorrow afternoon.", {"working_days": 1}),
    ("en", "As soon as I have the details I'll drop you an email later today.", {"today": True}),
    ("pl", "Wrócimy do Pani z odpowiedzią po weekendzie.", {"after_weekend": True}),
    ("pl", "Postaram się napisać do Pana jeszcze dzisiaj.", {"today": True}),
    ("ru", "Вернёмся к вам с ответом после выходных.", {"after_weekend": True}),
    ("ru", "Мы обязательно дадим вам знать о решении в течение недели.", {"working_days": 5}),
    ("ca", "El nostre equip de facturació us contactarà en les properes 48 hores.", {"within": timedelta(hours=48)}),
    ("ca", "T'ho confirmo abans que acabi el dia, quan rebi la resposta del magatzem.", {"today": True}),
    ("ca", "Tornarem a contactar amb vostè després del cap de setmana.", {"after_weekend": True}),
    ("es", "Intentaré escribirle hoy mismo.", {"today": True}),
    ("es", "Cuando tengamos el informe del servicio técnico, nos pondremos en contacto con usted a lo largo de la semana.", {"weekday": 4}),
    ("es", "Le escribimos después del fin de semana con la respuesta del almacén.", {"after_weekend": True}),
    ("de", "Ich melde mich nach dem Wochenende bei Ihnen.", {"after_weekend": True}),
    # round 5 (ca es de): dates, times of day, half and short durations, a window's end, inflected days
    ("ca", "D'aquí a mitja hora et torno a trucar.", {"within": timedelta(minutes=30)}),
    ("ca", "El tècnic es posarà en contacte amb vostè demà a les 10:30.", {"working_days": 1, "clock": time(10, 30)}),
    ("ca", "Us escriurem abans del dia 20.", {"on_date": (0, 20)}),
    ("ca", "El tècnic us trucarà entre les 9 i les 11.", {"clock": time(11)}),
    ("es", "Le daremos una respuesta, a más tardar, el 20 de noviembre.", {"on_date": (11, 20)}),
    ("es", "Le daremos respuesta en un plazo máximo de cuarenta y ocho horas.", {"within": timedelta(hours=48)}),
    ("es", "Le contactaremos a lo largo de la próxima semana.", {"next_week": True}),
    ("es", "Te confirmo algo antes de las 3 de la tarde.", {"clock": time(15)}),
    ("de", "Unser Techniker ruft Sie morgen um 10:30 Uhr an.", {"working_days": 1, "clock": time(10, 30)}),
    ("de", "Im Laufe der nächsten Woche kommen wir mit einer Lösung auf Sie zu.", {"next_week": True}),
    ("de", "Gleich am Montagmorgen melde ich mich bei Ihnen.", {"weekday": 0}),
    ("de", "Ich melde mich bis zum 20. bei Ihnen.", {"on_date": (0, 20)}),
    # round 6 (ca es de)
    ("ca", "Us faré arribar la resposta del proveïdor abans de les 12.", {"clock": time(12)}),
    ("es", "Volvemos a ponernos en contacto con usted la semana que viene.", {"next_week": True}),
    ("de", "Die Antwort des Lieferanten leite ich Ihnen bis 12 Uhr weiter.", {"clock": time(12)}),
    ("ru", "Следующее письмо от нас придёт в пятницу.", {"weekday": 4}),
    # a date: (month, day), month 0 for "the 20th"; "20." in German is an ordinal, not a sentence end
    ("en", "I will get back to you by 20 November.", {"on_date": (11, 20)}),
    # round 5 blind (en pl ru): a day with a time, half an hour, the 20th, "first thing Monday"
    ("en", "Our technician will call you tomorrow at 10:30 to go through the results.", {"working_days": 1, "clock": time(10, 30)}),
    ("en", "Someone from our team will reach out to you in half an hour.", {"within": timedelta(minutes=30)}),
    ("en", "Thanks for your patience - my colleague from billing will contact you first thing Monday.", {"weekday": 0}),
    ("en", "I'll get back to you by 3 pm today with an update.", {"today": True, "clock": time(15)}),
    ("pl", "Nasz technik zadzwoni do Pana w poniedziałek o 10:30.", {"weekday": 0, "clock": time(10, 30)}),
    ("pl", "Prześlemy aktualizację do piątku do 15:00.", {"weekday": 4, "clock": time(15)}),
    ("pl", "Zadzwonię do Pani w środę rano, najpóźniej do południa.", {"weekday": 2, "clock": time(12)}),
    ("ru", "Мы перезвоним вам через полчаса.", {"within": timedelta(minutes=30)}),
    ("ru", "Я свяжусь с вами завтра до 12 часов.", {"working_days": 1, "clock": time(12)}),
    ("ru", "Мы ответим вам не позднее 20 ноября.", {"on_date": (11, 20)}),
    # round 6 blind (en pl ru): a bare hour, "no later than noon", "is going to ring you", "should have an answer"
    ("en", "Our engineer is going to ring you on Thursday morning around 9:30.", {"weekday": 3, "clock": time(9, 30)}),
    ("en", "I'll drop you a line no later than noon tomorrow.", {"working_days": 1, "clock": time(12)}),
    ("en", "Bear with me - I should have an answer for you by 4 o'clock.", {"clock": time(16)}),
    ("en", "I will call you tomorrow at 11.", {"working_days": 1, "clock": time(11)}),
    ("pl", "Pan Marek z działu technicznego oddzwoni do Pana jutro około 11.", {"working_days": 1, "clock": time(11)}),
    ("pl", "Postaram się odezwać jeszcze dziś przed 16:00.", {"today": True, "clock": time(16)}),
    ("ru", "Я перезвоню вам в 8 вечера.", {"clock": time(20)}),
    ("ru", "Мы обязательно сообщим вам результат завтра к 11 часам.", {"working_days": 1, "clock": time(11)}),
    # round 6 broadening: a window's end, "Wednesday the 20th", "48h" written together
    ("en", "Our engineer will call you tomorrow between 10 and 12.", {"working_days": 1, "clock": time(12)}),
    ("en", "We'll get back to you by Wednesday the 20th.", {"weekday": 2, "on_date": (0, 20)}),
    ("pl", "Zadzwonimy do Pani jutro między 10 a 12.", {"working_days": 1, "clock": time(12)}),
    ("pl", "Odezwę się w ciągu 48h.", {"within": timedelta(hours=48)}),
    ("pl", "Odpiszę w czwartek około południa.", {"weekday": 3, "clock": time(12)}),
    ("ru", "Перезвоним вам завтра с 10 до 12.", {"working_days": 1, "clock": time(12)}),
    ("en", "We'll update you no later than December 3rd.", {"on_date": (12, 3)}),
    ("en", "I'll get back to you by the 20th with the figures.", {"on_date": (0, 20)}),
    ("pl", "Odezwę się do Pana najpóźniej do 20 listopada.", {"on_date": (11, 20)}),
    ("pl", "Wrócimy z odpowiedzią do 15.11.", {"on_date": (11, 15)}),
    ("ru", "Мы свяжемся с вами до 20 ноября.", {"on_date": (11, 20)}),
    ("ca", "Us escriurem abans del 3 d'abril.", {"on_date": (4, 3)}),
    ("es", "Le escribiremos como tarde el 20 de noviembre.", {"on_date": (11, 20)}),
    ("de", "Ich melde mich bis zum 20. November bei Ihnen.", {"on_date": (11, 20)}),
    ("de", "Wir melden uns spätestens am 15.11. bei Ihnen.", {"on_date": (11, 15)}),
    # durations written short or as half a unit
    ("en", "I'll be in touch in 48h.", {"within": timedelta(hours=48)}),
    ("en", "I'll check back with you in half an hour.", {"within": timedelta(minutes=30)}),
    ("ca", "Et diré alguna cosa en un parell d'hores.", {"within": timedelta(hours=2)}),
    ("es", "Le escribo en un par de horas.", {"within": timedelta(hours=2)}),
    ("de", "Ich rufe Sie in einer halben Stunde zurück.", {"within": timedelta(minutes=30)}),
    ("ru", "Перезвоню через полчаса.", {"within": timedelta(minutes=30)}),
    ("ca", "Et truco en mitja hora.", {"within": timedelta(minutes=30)}),
    ("es", "Te llamo en media hora.", {"within": timedelta(minutes=30)}),
    ("ca", "Us ho confirmo abans d'acabar el dia.", {"today": True}),
    # a time of day, alone or with a day; an hour from 1 to 6 without "am" is the afternoon
    ("en", "I'll get back to you by 3pm.", {"clock": time(15)}),
    ("en", "I will call you tomorrow at 10:30.", {"working_days": 1, "clock": time(10, 30)}),
    ("en", "I'll update you on Friday before noon.", {"weekday": 4, "clock": time(12)}),
    ("en", "I'll reply by Monday 10am at the latest.", {"weekday": 0, "clock": time(10)}),
    ("en", "I will call you tomorrow at 4.30pm.", {"working_days": 1, "clock": time(16, 30)}),
    ("de", "Ich rufe Sie am Montag 10 Uhr an.", {"weekday": 0, "clock": time(10)}),
    ("pl", "Oddzwonię jutro o godzinie 10.", {"working_days": 1, "clock": time(10)}),
    ("pl", "Dam znać do godz. 14.", {"clock": time(14)}),  # "godz." abbreviates, it ends no sentence
    ("pl", "Odezwę się do Pani najpóźniej do 15:30.", {"clock": time(15, 30)}),
    ("ru", "Перезвоню вам завтра к 5 часам.", {"working_days": 1, "clock": time(17)}),
    ("ca", "Us trucarem demà a les 10.", {"working_days": 1, "clock": time(10)}),
    ("es", "Le llamo hoy antes de las 3.", {"today": True, "clock": time(15)}),
    ("de", "Ich melde mich heute bis 15 Uhr.", {"today": True, "clock": time(15)}),
    ("de", "Ich gebe Ihnen morgen bis Mittag eine Rückmeldung.", {"working_days": 1, "clock": time(12)}),
    ("de", "Unser Abrechnungsteam wird sich innerhalb der nächsten 48 Stunden bei Ihnen melden.", {"within": timedelta(hours=48)}),
    ("de", "Ich gebe dir bis Ende des Tages Bescheid, sobald ich eine Antwort vom Lager habe.", {"today": True}),
    ("de", "Ein Kollege aus der Technik wird Sie am Montag gleich morgens anrufen.", {"weekday": 0}),
    ("de", "Nach dem Wochenende kommen wir wieder auf Sie zu.", {"after_weekend": True}),
    ("de", "Sobald der Bericht des Kundendienstes vorliegt, melden wir uns im Laufe der Woche bei Ihnen.", {"weekday": 4}),
    # round 4 (blind probes)
    ("en", "We're escalating this to our engineers and someone will be in touch within the next twenty-four hours.", {"within": timedelta(hours=24)}),
    ("en", "Expect to hear from me again before the weekend.", {"weekday": 4}),
    ("en", "I'll keep an eye on it and update you again in a couple of days.", {"working_days": 2}),
    ("pl", "Jak tylko dostaniemy części, od razu się z Tobą skontaktujemy – najpóźniej w przyszłym tygodniu.", {"next_week": True}),
    ("ru", "Ответ по вашей претензии мы направим вам в течение 24 часов.", {"within": timedelta(hours=24)}),
    ("ru", "Как только запчасти поступят на склад, мы сразу с тобой свяжемся, но не позже следующей недели.", {"next_week": True}),
    ("ca", "Ho consultaré amb el transportista i demà abans del migdia li donaré una resposta.", {"working_days": 1, "clock": time(12)}),
    ("ca", "Abans que acabi la setmana rebrà un correu nostre amb la proposta de solució.", {"weekday": 4}),
    ("es", "Lo consulto con la agencia de transporte y mañana antes del mediodía le doy una respuesta.", {"working_days": 1, "clock": time(12)}),
    ("es", "Nuestro técnico le llamará como muy tarde el jueves.", {"weekday": 3}),
    ("de", "Unser Servicetechniker ruft Sie spätestens am Donnerstag zurück.", {"weekday": 3}),
    ("de", "Wir teilen Ihnen innerhalb von 24 Stunden mit, ob die Reklamation anerkannt wird.", {"within": timedelta(hours=24)}),
    # session 10 (lead, one unit before the change): a plural unit without a count is a few (3)
    ("en", "I'll update you within the next hours.", {"within": timedelta(hours=3)}),
    ("en", "We'll get back to you in the coming days.", {"working_days": 3}),
    ("en", "I'll update you within the hour.", {"within": timedelta(hours=1)}),
    ("de", "Wir melden uns in den nächsten Tagen bei Ihnen.", {"working_days": 3}),
    ("de", "Ich melde mich in den nächsten Stunden bei Ihnen.", {"within": timedelta(hours=3)}),
    ("es", "Le escribiremos en los próximos días.", {"working_days": 3}),
    ("es", "Le responderé en las próximas horas.", {"within": timedelta(hours=3)}),
    ("ca", "Us escriurem en els propers dies.", {"working_days": 3}),
    ("pl", "Odezwiemy się w ciągu najbliższych dni.", {"working_days": 3}),
    ("pl", "Odezwę się w ciągu godziny.", {"within": timedelta(hours=1)}),
    ("ru", "Мы свяжемся с вами в ближайшие дни.", {"working_days": 3}),
    ("ru", "Я напишу вам в течение недели.", {"working_days": 5}),
    # session 10 (lead, undated before the change): "a few" is three, "a couple of" two
    ("en", "I'll update you in the next few hours.", {"within": timedelta(hours=3)}),
    ("en", "I'll get back to you within a few days.", {"working_days": 3}),
    ("en", "I'll update you within the next couple of hours.", {"within": timedelta(hours=2)}),
    ("pl", "Odezwę się za parę dni.", {"working_days": 2}),
    ("pl", "Odezwę się za kilka dni.", {"working_days": 3}),
    ("ru", "Я свяжусь с вами в ближайшие несколько дней.", {"working_days": 3}),
    ("ru", "Я свяжусь с вами в ближайшие два часа.", {"within": timedelta(hours=2)}),
    # session 9 (lead, written before the change): a range of counts promises its later bound
    ("en", "I'll write again in an hour or two.", {"within": timedelta(hours=2)}),
    ("en", "I'll get back to you in 2-3 days.", {"working_days": 3}),
    ("en", "I'll get back to you within 2 or 3 days.", {"working_days": 3}),
    ("en", "I'll get back to you in one to two hours.", {"within": timedelta(hours=2)}),
    ("en", "We'll update you within 24-48 hours.", {"within": timedelta(hours=48)}),
    ("en", "I'll get back to you in a day or two.", {"working_days": 2}),
    ("en", "You'll hear from us within 3–5 business days.", {"working_days": 5}),
    ("en", "We'll email you in 30 to 45 minutes.", {"within": timedelta(minutes=45)}),
    ("en", "I'll call you back in 10-15 mins.", {"within": timedelta(minutes=15)}),
    ("en", "We will get back to you within 24 to 48 hours.", {"within": timedelta(hours=48)}),
    ("pl", "Odezwę się w ciągu 2-3 dni.", {"working_days": 3}),
    ("pl", "Odezwę się za godzinę lub dwie.", {"within": timedelta(hours=2)}),
    ("pl", "Odpowiemy w ciągu 24–48 godzin.", {"within": timedelta(hours=48)}),
    ("pl", "Oddzwonię za dzień, dwa.", {"working_days": 2}),
    ("pl", "Wrócę do Pana z odpowiedzią w ciągu dwóch, trzech dni roboczych.", {"working_days": 3}),
    ("pl", "Damy znać w ciągu 3-5 dni roboczych.", {"working_days": 5}),
    ("pl", "Skontaktujemy się z Panią za 2 lub 3 dni.", {"working_days": 3}),
    ("ru", "Я свяжусь с вами в течение 2-3 дней.", {"working_days": 3}),
    ("ru", "Мы ответим вам в течение одного-двух часов.", {"within": timedelta(hours=2)}),
    ("ru", "Перезвоню через час-два.", {"within": timedelta(hours=2)}),
    ("ru", "Мы ответим в течение 24–48 часов.", {"within": timedelta(hours=48)}),
    ("ru", "Напишу вам через день-два.", {"working_days": 2}),
    ("ru", "Мы свяжемся с вами в течение 3-5 рабочих дней.", {"working_days": 5}),
    ("ru", "Сообщу вам через 2 или 3 дня.", {"working_days": 3}),
    ("ca", "Us escriuré d'aquí a 2 o 3 dies.", {"working_days": 3}),
    ("ca", "Et respondrem en 24-48 hores.", {"within": timedelta(hours=48)}),
    ("ca", "Et truco en una hora o dues.", {"within": timedelta(hours=2)}),
    ("ca", "Us direm alguna cosa en un o dos dies.", {"working_days": 2}),
    ("ca", "Us respondrem en un termini de 3 a 5 dies laborables.", {"working_days": 5}),
    ("ca", "Et contestarem en un termini d'entre 24 i 48 hores.", {"within": timedelta(hours=48)}),
    ("es", "Le escribiré en 2 o 3 días.", {"working_days": 3}),
    ("es", "Le responderemos en un plazo de 24 a 48 horas.", {"within": timedelta(hours=48)}),
    ("es", "Te llamo en una hora o dos.", {"within": timedelta(hours=2)}),
    ("es", "Le contestaremos en 24/48 horas.", {"within": timedelta(hours=48)}),
    ("es", "Le responderemos en un plazo de entre 24 y 48 horas.", {"within": timedelta(hours=48)}),
    ("es", "Le enviaremos la respuesta en 3-5 días hábiles.", {"working_days": 5}),
    ("es", "Le diré algo en uno o dos días.", {"working_days": 2}),
    ("de", "Ich melde mich in 2-3 Tagen wieder bei Ihnen.", {"working_days": 3}),
    ("de", "Ich melde mich in ein bis zwei Stunden bei Ihnen.", {"within": timedelta(hours=2)}),
    ("de", "Wir melden uns innerhalb von 24 bis 48 Stunden.", {"within": timedelta(hours=48)}),
    ("de", "Ich rufe Sie in ein, zwei Stunden zurück.", {"within": timedelta(hours=2)}),
    ("de", "Sie hören innerhalb von 3–5 Werktagen von uns.", {"working_days": 5}),
    ("de", "Wir melden uns in zwei oder drei Tagen bei dir.", {"working_days": 3}),
    ("de", "Ich schreibe Ihnen in 24-48h.", {"within": timedelta(hours=48)}),
]


@pytest.mark.parametrize(("language", "text", "expected"), DEADLINES)
def test_promise_deadline_is_read(language: str, text: str, expected: dict[str, object]) -> None:
    promise = find_promise(f"Hello,\n\nThanks for waiting.\n{text}\n\nBest regards,\nAnna", language)
    assert promise is not None
    assert promise.phrase == text
    fields: dict[str, object] = {"within": None, "working_days": None, "weekday": None, "next_week": False}
    fields["today"] = fields["after_weekend"] = False
    fields["clock"] = fields["on_date"] = None
    fields.update(expected)
    assert promise == Promise(text, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Our office is closed tomorrow, so the warehouse ships on Monday."),
        ("en", "Was it Friday when you placed the order?"),
        ("en", "The replacement card will be sent to your home address within 5 working days."),
        ("en", "Invoices will be emailed to you every month."),
        ("en", "Say hello to the new dashboard: it shows your invoices for the next week."),
        ("pl", "Jutro nasze biuro jest nieczynne."),
        ("ru", "Завтра у нас выходной день."),
        ("ca", "Demà l'oficina està tancada."),
        ("es", "Esta mañana he revisado su cuenta y todo funciona."),
        ("es", "Le escribo para confirmarle que ya está solucionado."),
        ("de", "Guten Morgen, die Lieferung kommt am Freitag."),
        ("en", "Your invoice of 20 November is attached."),
        ("de", "Ihre Bestellung vom 20. November ist unterwegs."),
        ("en", "Our office is open until 5pm on weekdays."),
        ("en", "Please send us the signed form by 20 November."),
        ("de", "Ihr Termin ist am 20. November um 10 Uhr."),
        ("pl", "Biuro jest czynne do 16:00."),
        ("ru", "Офис работает до 18:00."),
        ("es", "El evento es el 20 de noviembre a las 10."),
        # a visit, a refund or a shipment with a date: csbridge cannot see it happen (README, rules)
        ("en", "Our technician will visit you on Friday."),
        ("es", "El técnico irá a su domicilio el viernes."),
        ("es", "Mañana a las 9:00 irá Manuel a terminar la instalación."),
        ("de", "Der Techniker kommt am Freitag bei Ihnen vorbei."),
        ("de", "Der Betrag wird Ihnen bis Freitag gutgeschrieben."),
        ("de", "Die Flaschen gehen morgen in den Versand."),
    ],
)
def test_a_mention_of_a_day_is_not_a_promise(language: str, text: str) -> None:
    assert find_promise(text, language) is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We wrote to you on Monday, I'll get back to you as soon as I hear more."),
        ("en", "The part arrived on Friday; I'll update you once it is fitted."),
        ("en", "As discussed on Monday, I'll get back to you."),
        ("pl", "Technik był u Pani we wtorek, dam znać, co ustalił."),
        ("ru", "Мы писали вам в понедельник, я свяжусь с вами, как только будет ответ."),
        ("ca", "Us vam escriure dilluns, us diré alguna cosa quan tingui resposta."),
        ("es", "El técnico estuvo el martes en su casa; le escribiré cuando tenga su informe."),
        ("de", "Der Techniker war am Dienstag bei Ihnen, ich melde mich, sobald sein Bericht da ist."),
    ],
)
def test_a_day_in_a_clause_before_the_promise_is_not_its_deadline(language: str, text: str) -> None:
    promise = find_promise(text, language)
    assert promise is not None
    assert not promise.dated, promise


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "By Friday at the latest, you will hear from me.", {"weekday": 4}),
        ("en", "Tomorrow morning, I'll call you with the results.", {"working_days": 1}),
        ("pl", "Jutro rano, najpóźniej do 10, dam Pani znać.", {"working_days": 1}),
        ("ca", "Demà al matí, sense falta, us escric.", {"working_days": 1}),
        ("es", "A más tardar el viernes, le escribiré.", {"weekday": 4}),
        ("de", "Spätestens am Freitag, melde ich mich bei Ihnen.", {"weekday": 4}),
    ],
)
def test_a_clause_that_opens_with_a_time_dates_the_promise(language: str, text: str, expected: dict[str, object]) -> None:
    promise = find_promise(text, language)
    assert promise is not None
    assert {name: getattr(promise, name) for name in expected} == expected


def test_a_time_of_day_before_a_full_stop_ends_the_sentence() -> None:
    promise = find_promise("The engineer visits on Thursday between 14:00 and 16:00. I will write to you afterwards.", "en")
    assert promise is not None
    assert promise.phrase == "I will write to you afterwards."


def test_promise_without_deadline() -> None:
    promise = find_promise("I'll get back to you as soon as I hear from the courier.", "en")
    assert promise == Promise("I'll get back to you as soon as I hear from the courier.")


def test_promise_in_quoted_history_is_ignored() -> None:
    text = "Hi,\n\nAll fixed now.\n\nOn Mon, 3 Mar 2025 at 10:12, Anna wrote:\n> I'll get back to you tomorrow."
    assert find_promise(text, "en") is None


def test_unknown_language_tries_every_lexicon() -> None:
    promise = find_promise("Ich melde mich morgen bei Ihnen.", None)
    assert promise is not None and promise.working_days == 1
    other = find_promise("Я свяжусь с вами завтра.", "fr")
    assert other is not None and other.working_days == 1


PROBES = tomllib.loads((Path(__file__).parent / "corpus" / "promises.toml").read_text("utf-8"))


@pytest.mark.parametrize("language", sorted(PROBES))
def test_probe_promises(language: str) -> None:
    """Every probe sentence of tests/corpus/promises.toml is read right: a promise with its
    deadline, or no dated promise at all."""
    wrong = []
    for text in PROBES[language]["promise"]:
        if not _dated(find_promise(text, language)):
            wrong.append(f"missed: {text}")
    for text in PROBES[language]["not_promise"]:
        if _dated(find_promise(text, language)):
            wrong.append(f"not a promise: {text}")
    assert not wrong, wrong
    assert len(PROBES[language]["promise"]) >= 10 and len(PROBES[language]["not_promise"]) >= 5


def _dated(promise: Promise | None) -> bool:
    return promise is not None and promise.dated
