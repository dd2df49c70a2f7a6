"""A sample helpdesk: realistic, deterministic tickets in six languages.

Simulators (Zendesk, Freshdesk, IMAP), the demo and the benchmarks seed themselves
from :func:`generate_helpdesk`. Tickets stream out one at a time (memory does not
grow with ``count``) and the same ``seed`` always gives the same tickets. The text
is written per language (en, pl, ru, ca, es, de) and covers what the standards
judge: polite replies, replies missing a greeting or a closing, rude ones,
complaints with or without an apology, promised follow-ups kept or forgotten,
internal notes, quoted history and signatures.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from csbridge.models import Message, Person, Priority, Role, Status, StatusChange, Ticket

LANGUAGES: tuple[str, ...] = ("en", "pl", "ru", "ca", "es", "de")
"""The languages of the sample, spread evenly: ticket ``n`` is in ``LANGUAGES[(n - 1) % 6]``."""

DEMO_START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
"""A Monday morning to start the demo's helpdesk at."""

AGENTS: tuple[Person, ...] = (
    Person("a1", Role.AGENT, "Anna Kowalska", "anna.kowalska@acme.example"),
    Person("a2", Role.AGENT, "Jordi Puig", "jordi.puig@acme.example"),
    Person("a3", Role.AGENT, "Lukas Becker", "lukas.becker@acme.example"),
    Person("a4", Role.AGENT, "Elena Smirnova", "elena.smirnova@acme.example"),
    Person("a5", Role.AGENT, "Sarah Mitchell", "sarah.mitchell@acme.example"),
    Person("a6", Role.AGENT, "Lucía Fernández", "lucia.fernandez@acme.example"),
)
"""The support team of the sample helpdesk (ids ``a1``..``a6``)."""


@dataclass(frozen=True)
class _Customer:
    first: str
    last: str
    female: bool
    call: str  # how an agent addresses them after the salutation ("Pani Anno", "Ирина Сергеевна")


@dataclass(frozen=True)
class _Lang:
    """Everything one language needs to write tickets; ``{call}``, ``{first}``, ``{agent}`` are filled in."""

    customers: tuple[_Customer, ...]
    domains: tuple[str, ...]
    topics: tuple[tuple[str, str, str], ...]  # subject, customer's opening, agent's answer
    greetings: tuple[str, ...]
    closings: tuple[str, ...]
    rude: tuple[str, ...]
    apologies: tuple[str, ...]
    promises: tuple[str, ...]
    updates: tuple[str, ...]
    answers: tuple[str, ...]  # later answers, to a question or a complaint
    complaints: tuple[str, ...]
    thanks: tuple[str, ...]
    questions: tuple[str, ...]
    customer_signoff: tuple[str, ...]
    quote_header: str  # {date}, {name}
    signature_role: str


_EN = _Lang(
    customers=(
        _Customer("Emma", "Clarke", True, "Emma"),
        _Customer("James", "Whitfield", False, "James"),
        _Customer("Olivia", "Bennett", True, "Ms Bennett"),
        _Customer("Daniel", "Hughes", False, "Daniel"),
        _Customer("Sophie", "Turner", True, "Sophie"),
    ),
    domains=("gmail.com", "outlook.com", "brightlane.co.uk", "hollowayfarms.com"),
    topics=(
        (
            "Can't log in after password reset",
            "I reset my password this morning but the login page keeps saying my credentials are invalid. "
            "I've tried two different browsers.",
            "I've checked your account and the reset link had been used twice, which locked the account for "
            "security reasons. I've unlocked it now, so you should be able to sign in with the new password.",
        ),
        (
            "Invoice shows the wrong VAT number",
            "Our October invoice has our old VAT number on it. Could you issue a corrected one? "
            "Our accountant needs it before the end of the month.",
            "I've updated the VAT number on your billing profile and issued a corrected invoice for October. "
            "You'll find it under Billing > Invoices, and a copy has been sent to your billing address.",
        ),
        (
            "Order #48213 hasn't arrived",
            "I ordered a replacement charger ten days ago and the tracking page hasn't changed since Tuesday.",
            "The courier confirmed the parcel was held at their Leeds depot because of a damaged label. "
            "It was relabelled yesterday and is due to be delivered on Thursday.",
        ),
        (
            "CSV export is missing columns",
            "When I export the contacts list to CSV, the phone and company columns are empty, "
            "even though they're filled in on screen.",
            "This happens when the export template predates the custom fields. If you open Settings > Export and "
            'click "Reset template", the phone and company columns will be included again.',
        ),
    ),
    greetings=("Hi {call},", "Hello {call},", "Dear {call},", "Good morning {call},", "Hi there,"),
    closings=(
        "Best regards,\n{agent}",
        "Kind regards,\n{agent}",
        "If there's anything else I can help with, just let me know.\n\nBest wishes,\n{agent}",
        "Have a great day!\n{agent}",
        "Thanks for your patience,\n{agent}",
    ),
    rude=(
        "As I already told you, this is explained in our help centre.",
        "That's not our problem, you'll have to take it up with your bank.",
        "Please read the manual before opening a ticket.",
        "Calm down, shouting at us won't make it go any faster.",
        "Obviously you didn't follow the steps I sent you.",
    ),
    apologies=(
        "I'm really sorry for the trouble and for the wait, that's not the experience we want you to have.",
        "I understand how frustrating this must be, and I apologise that it has taken so long.",
        "I'm sorry you've had to write to us several times about this.",
    ),
    promises=(
        "I'll get back to you tomorrow once our billing team has confirmed it.",
        "I'll update you by Friday at the latest.",
        "We'll let you know within 2 hours.",
        "I'll check with the warehouse and get back to you later today.",
    ),
    updates=(
        "As promised, here's an update: the issue has been fixed on our side.",
        "Just following up on my last message: everything has been sorted out now.",
    ),
    answers=(
        "Yes, the change applies to every account on your plan, so there is nothing else you need to do.",
        "I've had another look and found a second lock on the account, which I've now removed as well. "
        "Could you try again and tell me if it works?",
    ),
    complaints=(
        "This is the third time I'm writing about this and it's still not working. Frankly, it's unacceptable.",
        "I'm really disappointed. Nobody has answered me for days and I still can't use the account.",
        "Still not working. I've lost a whole morning on this.",
    ),
    thanks=("That worked, thank you!", "Great, all sorted now. Thanks for the quick help.", "Perfect, thanks a lot."),
    questions=(
        "Thanks, but I have one more question: does this also apply to the other accounts on our plan?",
        "OK, and will I need to do anything on my side?",
    ),
    customer_signoff=("Thanks,\n{first}", "Best,\n{first} {last}", "Cheers,\n{first}"),
    quote_header="On {date}, {name} wrote:",
    signature_role="Customer Support, Acme",
)

_PL = _Lang(
    customers=(
        _Customer("Anna", "Nowak", True, "Pani Anno"),
        _Customer("Tomasz", "Wiśniewski", False, "Panie Tomaszu"),
        _Customer("Katarzyna", "Wójcik", True, "Pani Katarzyno"),
        _Customer("Piotr", "Lewandowski", False, "Panie Piotrze"),
        _Customer("Magdalena", "Zielińska", True, "Pani Magdaleno"),
    ),
    domains=("wp.pl", "onet.pl", "o2.pl", "interia.pl", "gmail.com"),
    topics=(
        (
            "Nie mogę się zalogować po zmianie hasła",
            "Dziś rano zmieni{c:łam|łem} hasło i od tego czasu przy logowaniu wyskakuje komunikat o błędnych danych. "
            "Próbowa{c:łam|łem} w dwóch przeglądarkach.",
            "Sprawdzi{a:łam|łem} konto – link do zmiany hasła został użyty dwa razy, przez co system zablokował konto. "
            "Odblokowa{a:łam|łem} je, więc teraz powinno się udać zalogować nowym hasłem.",
        ),
        (
            "Błędny NIP na fakturze",
            "Na fakturze za październik jest nasz stary NIP. Czy mogą Państwo wystawić korektę? "
            "Księgowa potrzebuje jej do końca miesiąca.",
            "Zaktualizowa{a:łam|łem} NIP w danych rozliczeniowych i wystawi{a:łam|łem} fakturę korygującą "
            "za październik. "
            "Znajdzie ją {c:Pani|Pan} w zakładce Płatności > Faktury, kopia poszła też mailem.",
        ),
        (
            "Zamówienie 48213 nie dotarło",
            "Zamówi{c:łam|łem} ładowarkę dziesięć dni temu, a status przesyłki nie zmienił się od wtorku.",
            "Kurier potwierdził, że paczka utknęła w sortowni w Łodzi z powodu uszkodzonej etykiety. "
            "Wczoraj dostała nową etykietę i powinna dotrzeć w czwartek.",
        ),
        (
            "W eksporcie CSV brakuje kolumn",
            "Przy eksporcie kontaktów do CSV kolumny z telefonem i firmą są puste, "
            "choć w aplikacji dane są uzupełnione.",
            "Dzieje się tak, gdy szablon eksportu jest starszy niż pola niestandardowe. Wystarczy wejść w "
            "Ustawienia > Eksport i kliknąć „Przywróć szablon”, wtedy kolumny wrócą.",
        ),
    ),
    greetings=(
        "Dzień dobry,",
        "Dzień dobry {call},",
        "{c:Szanowna Pani|Szanowny Panie},",
        "Witam serdecznie,",
        "Dzień dobry!",
    ),
    closings=(
        "Pozdrawiam serdecznie,\n{agent}",
        "Z poważaniem,\n{agent}",
        "W razie dodatkowych pytań proszę śmiało pisać.\n\nPozdrawiam,\n{agent}",
        "Miłego dnia!\n{agent}",
        "Dziękuję za cierpliwość i pozdrawiam,\n{agent}",
    ),
    rude=(
        "Jak już pisa{a:łam|łem} wcześniej, wszystko jest opisane w naszej bazie wiedzy.",
        "To nie jest nasz problem, proszę się zwrócić do swojego banku.",
        "Proszę najpierw przeczytać instrukcję, zanim {c:założy Pani|założy Pan} zgłoszenie.",
        "Proszę się uspokoić, pisanie wielkimi literami nic nie przyspieszy.",
        "Najwyraźniej nie {c:zastosowała się Pani|zastosował się Pan} do kroków, które wysła{a:łam|łem}.",
    ),
    apologies=(
        "Bardzo przepraszam za kłopot i za tak długie oczekiwanie.",
        "Rozumiem, jak bardzo to frustrujące, i przepraszam, że trwa to tak długo.",
        "Przykro mi, że {c:musiała Pani|musiał Pan} pisać do nas w tej sprawie kilka razy.",
    ),
    promises=(
        "Odezwę się jutro, jak tylko dział rozliczeń to potwierdzi.",
        "Dam znać najpóźniej do piątku.",
        "Wrócimy z odpowiedzią w ciągu 2 godzin.",
        "Sprawdzę to z magazynem i odezwę się jeszcze dzisiaj.",
    ),
    updates=(
        "Zgodnie z obietnicą wracam z informacją: problem został usunięty po naszej stronie.",
        "Nawiązując do mojej poprzedniej wiadomości: wszystko jest już wyjaśnione.",
    ),
    answers=(
        "Tak, zmiana obejmuje wszystkie konta w Państwa abonamencie, więc nie trzeba już nic robić.",
        "Sprawdzi{a:łam|łem} jeszcze raz i na koncie była druga blokada, którą też już zdję{a:łam|łem}. "
        "Czy może {c:Pani|Pan} spróbować ponownie i dać znać, czy działa?",
    ),
    complaints=(
        "Piszę w tej sprawie już trzeci raz i nadal nie działa. To jest po prostu niedopuszczalne.",
        "Jestem bardzo rozczarowan{c:a|y}. Od kilku dni nikt mi nie odpowiada, a konto dalej nie działa.",
        "Dalej nie działa. Straci{c:łam|łem} na to całe przedpołudnie.",
    ),
    thanks=("Zadziałało, dziękuję!", "Super, wszystko już działa. Dzięki za szybką pomoc.", "Dziękuję bardzo."),
    questions=(
        "Dziękuję, ale mam jeszcze pytanie: czy to dotyczy też pozostałych kont w naszym abonamencie?",
        "Dobrze, a czy muszę coś zrobić po swojej stronie?",
    ),
    customer_signoff=("Pozdrawiam,\n{first}", "Z poważaniem,\n{first} {last}", "Dzięki,\n{first}"),
    quote_header="W dniu {date} {name} napisał(a):",
    signature_role="Dział Obsługi Klienta, Acme",
)

_RU = _Lang(
    customers=(
        _Customer("Ирина", "Соколова", True, "Ирина Сергеевна"),
        _Customer("Дмитрий", "Волков", False, "Дмитрий"),
        _Customer("Ольга", "Морозова", True, "Ольга"),
        _Customer("Алексей", "Кузнецов", False, "Алексей Петрович"),
        _Customer("Наталья", "Павлова", True, "Наталья"),
    ),
    domains=("yandex.ru", "mail.ru", "gmail.com", "rambler.ru"),
    topics=(
        (
            "Не могу войти после смены пароля",
            "Сегодня утром я сменил{c:а|} пароль, и теперь при входе пишет, что данные неверные. "
            "Пробовал{c:а|} в двух разных браузерах.",
            "Я проверил{a:а|} вашу учётную запись: ссылка для смены пароля была использована дважды, и система "
            "заблокировала вход. Я снял{a:а|} блокировку, теперь вы сможете войти с новым паролем.",
        ),
        (
            "Неверный ИНН в счёте",
            "В счёте за октябрь указан наш старый ИНН. Можете выставить исправленный? "
            "Бухгалтерии он нужен до конца месяца.",
            "Я обновил{a:а|} ИНН в платёжных данных и выставил{a:а|} исправленный счёт за октябрь. "
            "Он доступен в разделе «Оплата» → «Счета», копию мы также отправили на почту.",
        ),
        (
            "Заказ 48213 так и не пришёл",
            "Я заказал{c:а|} зарядное устройство десять дней назад, а статус доставки не меняется со вторника.",
            "Курьерская служба подтвердила, что посылка задержалась на складе из-за повреждённой этикетки. "
            "Вчера её перемаркировали, доставка ожидается в четверг.",
        ),
        (
            "В выгрузке CSV нет колонок",
            "При выгрузке контактов в CSV колонки с телефоном и компанией пустые, хотя в системе всё заполнено.",
            "Так бывает, если шаблон выгрузки создан раньше, чем дополнительные поля. Откройте «Настройки» → "
            "«Экспорт» и нажмите «Сбросить шаблон», после этого колонки появятся.",
        ),
    ),
    greetings=(
        "Здравствуйте, {call}!",
        "Добрый день, {call}!",
        "Здравствуйте!",
        "Добрый день!",
        "Доброе утро, {call}!",
    ),
    closings=(
        "С уважением,\n{agent}",
        "Если останутся вопросы, пишите, будем рады помочь.\n\nС уважением,\n{agent}",
        "Хорошего дня!\n{agent}",
        "Всего доброго,\n{agent}",
        "Спасибо за терпение!\n{agent}",
    ),
    rude=(
        "Как я уже говорил{a:а|}, всё это описано в нашей справке.",
        "Это не наша проблема, обращайтесь в свой банк.",
        "Прочитайте сначала инструкцию, прежде чем писать в поддержку.",
        "Успокойтесь, от того, что вы пишете капслоком, быстрее не будет.",
        "Вы, очевидно, не выполнили шаги, которые я вам отправил{a:а|}.",
    ),
    apologies=(
        "Приносим извинения за неудобства и долгое ожидание.",
        "Понимаю, как это неприятно, и прошу прощения, что решение заняло столько времени.",
        "Мне очень жаль, что вам пришлось писать нам несколько раз.",
    ),
    promises=(
        "Я свяжусь с вами завтра, как только бухгалтерия подтвердит.",
        "Сообщу вам результат до пятницы.",
        "Мы ответим вам в течение 2 часов.",
        "Уточню на складе и напишу вам сегодня.",
    ),
    updates=(
        "Как и обещал{a:а|}, возвращаюсь с новостями: проблема на нашей стороне устранена.",
        "Дополняю своё предыдущее письмо: всё уже исправлено.",
    ),
    answers=(
        "Да, изменение действует для всех аккаунтов по вашему тарифу, больше ничего делать не нужно.",
        "Я ещё раз проверил{a:а|} и нашёл{a:а|} вторую блокировку, её я тоже снял{a:а|}. "
        "Попробуйте, пожалуйста, ещё раз и напишите, получилось ли.",
    ),
    complaints=(
        "Пишу уже третий раз, а всё до сих пор не работает. Это просто недопустимо.",
        "Я очень разочарован{c:а|}. Несколько дней никто не отвечает, а аккаунт так и не работает.",
        "Всё ещё не работает. Я потратил{c:а|} на это всё утро.",
    ),
    thanks=("Заработало, спасибо!", "Отлично, всё работает. Спасибо за быструю помощь.", "Спасибо большое."),
    questions=(
        "Спасибо, но есть ещё вопрос: это касается и других аккаунтов по нашему тарифу?",
        "Хорошо, а мне нужно что-то сделать со своей стороны?",
    ),
    customer_signoff=("Спасибо,\n{first}", "С уважением,\n{first} {last}", "{first}"),
    quote_header="{date}, {name} писал(а):",
    signature_role="Служба поддержки Acme",
)

_CA = _Lang(
    customers=(
        _Customer("Marta", "Vidal", True, "Marta"),
        _Customer("Pau", "Ferrer", False, "Pau"),
        _Customer("Núria", "Soler", True, "Núria"),
        _Customer("Jordi", "Casals", False, "Jordi"),
        _Customer("Laia", "Puigdemont", True, "Laia"),
    ),
    domains=("gmail.com", "telefonica.net", "hotmail.com", "xtec.cat"),
    topics=(
        (
            "No puc entrar després de canviar la contrasenya",
            "Aquest matí he canviat la contrasenya i ara, quan intento entrar, em diu que les dades no són "
            "correctes. Ho he provat amb dos navegadors.",
            "He revisat el vostre compte: l'enllaç per canviar la contrasenya es va fer servir dues vegades i el "
            "sistema va bloquejar l'accés. Ja l'he desbloquejat, així que ara hauríeu de poder entrar.",
        ),
        (
            "El NIF de la factura és incorrecte",
            "A la factura d'octubre hi surt el NIF antic. Em podríeu fer una factura rectificativa? "
            "La gestoria la necessita abans de final de mes.",
            "He actualitzat el NIF a les dades de facturació i he emès la factura rectificativa d'octubre. "
            "La trobareu a Facturació > Factures i també us l'hem enviat per correu.",
        ),
        (
            "La comanda 48213 no ha arribat",
            "Vaig fer la comanda d'un carregador fa deu dies i el seguiment no ha canviat des de dimarts.",
            "El missatger ens ha confirmat que el paquet es va quedar al magatzem per una etiqueta malmesa. "
            "Ahir el van tornar a etiquetar i arribarà dijous.",
        ),
        (
            "A l'exportació CSV hi falten columnes",
            "Quan exporto els contactes a CSV, les columnes de telèfon i empresa surten buides, "
            "tot i que a la pantalla hi són.",
            "Això passa quan la plantilla d'exportació és anterior als camps personalitzats. Aneu a "
            "Configuració > Exportació i feu clic a «Restableix la plantilla»: les columnes tornaran a sortir.",
        ),
    ),
    greetings=("Hola {call},", "Bon dia, {call}:", "{c:Benvolguda|Benvolgut} {call},", "Hola, bon dia,", "Hola!"),
    closings=(
        "Salutacions cordials,\n{agent}",
        "Qualsevol dubte, ens dieu alguna cosa.\n\nSalutacions,\n{agent}",
        "Bon dia!\n{agent}",
        "Moltes gràcies per la paciència.\n{agent}",
        "Una salutació,\n{agent}",
    ),
    rude=(
        "Com ja et vaig dir, això està explicat al centre d'ajuda.",
        "Això no és problema nostre, ho has de parlar amb el teu banc.",
        "Llegeix el manual abans d'obrir una incidència.",
        "Calma't, cridant no anirà més de pressa.",
        "És evident que no has seguit els passos que et vaig enviar.",
    ),
    apologies=(
        "Us demano disculpes per les molèsties i per l'espera.",
        "Entenc que és molt frustrant i lamento que hagi trigat tant.",
        "Sento molt que ens hàgiu hagut d'escriure diverses vegades.",
    ),
    promises=(
        "Us diré alguna cosa demà, quan el departament de facturació ho confirmi.",
        "Us escriuré abans de divendres.",
        "Us respondrem en 2 hores.",
        "Ho comprovo amb el magatzem i us escric avui mateix.",
    ),
    updates=(
        "Tal com us vaig dir, us escric per informar-vos que el problema ja està resolt.",
        "Només per fer-vos el seguiment: ja està tot solucionat.",
    ),
    answers=(
        "Sí, el canvi s'aplica a tots els comptes del vostre pla, així que no cal que feu res més.",
        "Ho he tornat a revisar i hi havia un segon bloqueig al compte, que també he tret. "
        "Ho podeu tornar a provar i em dieu si funciona?",
    ),
    complaints=(
        "És la tercera vegada que escric per això i encara no funciona. És inacceptable.",
        "Estic molt {c:decebuda|decebut}. Fa dies que ningú no em respon i el compte continua sense funcionar.",
        "Continua sense funcionar. Hi he perdut tot el matí.",
    ),
    thanks=("Ja funciona, moltes gràcies!", "Perfecte, ja està tot arreglat. Gràcies per la rapidesa.", "Gràcies!"),
    questions=(
        "Gràcies, però tinc una altra pregunta: això també afecta els altres comptes del nostre pla?",
        "D'acord, i jo he de fer alguna cosa?",
    ),
    customer_signoff=("Gràcies,\n{first}", "Salutacions,\n{first} {last}", "Una abraçada,\n{first}"),
    quote_header="El {date}, {name} va escriure:",
    signature_role="Atenció al client, Acme",
)

_ES = _Lang(
    customers=(
        _Customer("María", "García", True, "María"),
        _Customer("Javier", "Martínez", False, "Javier"),
        _Customer("Lucía", "Romero", True, "Lucía"),
        _Customer("Carlos", "Navarro", False, "Carlos"),
        _Customer("Elena", "Ortega", True, "Elena"),
    ),
    domains=("gmail.com", "hotmail.es", "yahoo.es", "telefonica.es"),
    topics=(
        (
            "No puedo entrar después de cambiar la contraseña",
            "Esta mañana cambié la contraseña y ahora al entrar me dice que los datos no son correctos. "
            "Lo he probado en dos navegadores.",
            "He revisado su cuenta: el enlace para cambiar la contraseña se usó dos veces y el sistema bloqueó "
            "el acceso. Ya lo he desbloqueado, así que debería poder entrar con la nueva contraseña.",
        ),
        (
            "El NIF de la factura es incorrecto",
            "En la factura de octubre aparece nuestro NIF antiguo. ¿Pueden emitir una factura rectificativa? "
            "La gestoría la necesita antes de fin de mes.",
            "He actualizado el NIF en sus datos de facturación y he emitido la factura rectificativa de octubre. "
            "La encontrará en Facturación > Facturas y también se la hemos enviado por correo.",
        ),
        (
            "El pedido 48213 no ha llegado",
            "Pedí un cargador hace diez días y el seguimiento no ha cambiado desde el martes.",
            "La empresa de mensajería nos ha confirmado que el paquete se quedó retenido en el almacén por una "
            "etiqueta dañada. Ayer lo volvieron a etiquetar y llegará el jueves.",
        ),
        (
            "Faltan columnas en la exportación CSV",
            "Cuando exporto los contactos a CSV, las columnas de teléfono y empresa salen vacías, "
            "aunque en pantalla están rellenas.",
            "Esto pasa cuando la plantilla de exportación es anterior a los campos personalizados. Vaya a "
            "Configuración > Exportación y pulse «Restablecer plantilla»: las columnas volverán a aparecer.",
        ),
    ),
    greetings=("Hola {call}:", "Buenos días, {call}:", "{c:Estimada|Estimado} {call}:", "Buenas,", "¡Hola!"),
    closings=(
        "Un saludo,\n{agent}",
        "Quedamos a su disposición para cualquier consulta.\n\nSaludos cordiales,\n{agent}",
        "¡Que tenga un buen día!\n{agent}",
        "Gracias por su paciencia.\n{agent}",
        "Atentamente,\n{agent}",
    ),
    rude=(
        "Como ya le dije, esto está explicado en nuestro centro de ayuda.",
        "Eso no es problema nuestro, tiene que hablarlo con su banco.",
        "Lea el manual antes de abrir una incidencia.",
        "Cálmese, gritando no se va a solucionar antes.",
        "Es evidente que no siguió los pasos que le envié.",
    ),
    apologies=(
        "Le pido disculpas por las molestias y por la espera.",
        "Entiendo lo frustrante que es y lamento que haya tardado tanto.",
        "Siento mucho que haya tenido que escribirnos varias veces.",
    ),
    promises=(
        "Le escribiré mañana en cuanto el departamento de facturación lo confirme.",
        "Le daré una respuesta para el viernes.",
        "Le responderemos en 2 horas.",
        "Lo consulto con el almacén y le escribo hoy mismo.",
    ),
    updates=(
        "Tal como le comenté, le escribo para confirmarle que el problema ya está resuelto.",
        "Solo para hacer seguimiento: ya está todo solucionado.",
    ),
    answers=(
        "Sí, el cambio se aplica a todas las cuentas de su plan, así que no tiene que hacer nada más.",
        "Lo he vuelto a revisar y había un segundo bloqueo en la cuenta, que también he quitado. "
        "¿Puede volver a probar y decirme si funciona?",
    ),
    complaints=(
        "Es la tercera vez que escribo por esto y sigue sin funcionar. Es inaceptable.",
        "Estoy muy decepcionad{c:a|o}. Llevo días sin respuesta y la cuenta sigue sin funcionar.",
        "Sigue sin funcionar. He perdido toda la mañana con esto.",
    ),
    thanks=("Ya funciona, ¡muchas gracias!", "Perfecto, ya está todo arreglado. Gracias por la rapidez.", "¡Gracias!"),
    questions=(
        "Gracias, pero tengo otra pregunta: ¿esto afecta también a las otras cuentas de nuestro plan?",
        "Vale, ¿y tengo que hacer algo por mi parte?",
    ),
    customer_signoff=("Gracias,\n{first}", "Saludos,\n{first} {last}", "Un saludo,\n{first}"),
    quote_header="El {date}, {name} escribió:",
    signature_role="Atención al cliente, Acme",
)

_DE = _Lang(
    customers=(
        _Customer("Julia", "Schneider", True, "Frau Schneider"),
        _Customer("Markus", "Fischer", False, "Herr Fischer"),
        _Customer("Sabine", "Müller", True, "Frau Müller"),
        _Customer("Jan", "Hoffmann", False, "Herr Hoffmann"),
        _Customer("Lena", "Wagner", True, "Frau Wagner"),
    ),
    domains=("gmx.de", "web.de", "t-online.de", "posteo.de"),
    topics=(
        (
            "Anmeldung nach Passwortänderung nicht möglich",
            "Ich habe heute Morgen mein Passwort zurückgesetzt, seitdem heißt es beim Anmelden, die Zugangsdaten "
            "seien ungültig. Ich habe es in zwei Browsern versucht.",
            "Ich habe mir Ihr Konto angesehen: Der Link zum Zurücksetzen wurde zweimal benutzt, deshalb hat das "
            "System den Zugang gesperrt. Ich habe ihn wieder freigegeben, Sie können sich jetzt anmelden.",
        ),
        (
            "Falsche USt-IdNr. auf der Rechnung",
            "Auf der Rechnung für Oktober steht noch unsere alte USt-IdNr. Können Sie uns eine korrigierte "
            "Rechnung ausstellen? Unsere Buchhaltung braucht sie bis Monatsende.",
            "Ich habe die USt-IdNr. in Ihren Rechnungsdaten geändert und eine korrigierte Rechnung für Oktober "
            "erstellt. Sie finden sie unter Abrechnung > Rechnungen, eine Kopie ist per E-Mail unterwegs.",
        ),
        (
            "Bestellung 48213 ist nicht angekommen",
            "Ich habe vor zehn Tagen ein Ladegerät bestellt und die Sendungsverfolgung zeigt seit Dienstag nichts "
            "Neues an.",
            "Der Paketdienst hat bestätigt, dass das Paket wegen eines beschädigten Etiketts im Depot lag. "
            "Es wurde gestern neu etikettiert und kommt voraussichtlich am Donnerstag an.",
        ),
        (
            "CSV-Export: Spalten fehlen",
            "Wenn ich die Kontakte als CSV exportiere, sind die Spalten Telefon und Firma leer, "
            "obwohl sie in der Anwendung ausgefüllt sind.",
            "Das passiert, wenn die Exportvorlage älter ist als die benutzerdefinierten Felder. Gehen Sie auf "
            "Einstellungen > Export und klicken Sie auf „Vorlage zurücksetzen“, dann sind die Spalten wieder da.",
        ),
    ),
    greetings=(
        "Guten Tag {call},",
        "Hallo {first},",
        "{c:Sehr geehrte|Sehr geehrter} {call},",
        "Guten Morgen,",
        "Hallo!",
    ),
    closings=(
        "Mit freundlichen Grüßen\n{agent}",
        "Viele Grüße\n{agent}",
        "Bei weiteren Fragen melden Sie sich gern jederzeit.\n\nBeste Grüße\n{agent}",
        "Einen schönen Tag noch!\n{agent}",
        "Danke für Ihre Geduld und freundliche Grüße\n{agent}",
    ),
    rude=(
        "Wie ich Ihnen bereits gesagt habe, steht das alles in unserer Hilfe.",
        "Das ist nicht unser Problem, wenden Sie sich an Ihre Bank.",
        "Lesen Sie bitte erst das Handbuch, bevor Sie ein Ticket aufmachen.",
        "Beruhigen Sie sich, mit Großbuchstaben geht es auch nicht schneller.",
        "Offensichtlich haben Sie die Schritte, die ich Ihnen geschickt habe, nicht befolgt.",
    ),
    apologies=(
        "Entschuldigen Sie bitte die Unannehmlichkeiten und die lange Wartezeit.",
        "Ich verstehe, wie ärgerlich das ist, und es tut mir leid, dass es so lange gedauert hat.",
        "Es tut mir leid, dass Sie uns deswegen mehrmals schreiben mussten.",
    ),
    promises=(
        "Ich melde mich morgen bei Ihnen, sobald die Buchhaltung es bestätigt hat.",
        "Ich gebe Ihnen bis Freitag Bescheid.",
        "Wir melden uns innerhalb von 2 Stunden.",
        "Ich kläre das mit dem Lager und melde mich heute noch.",
    ),
    updates=(
        "Wie versprochen melde ich mich mit einem Update: Das Problem ist auf unserer Seite behoben.",
        "Kurzer Nachtrag zu meiner letzten Nachricht: Es ist jetzt alles erledigt.",
    ),
    answers=(
        "Ja, die Änderung gilt für alle Konten in Ihrem Tarif, Sie müssen also nichts weiter tun.",
        "Ich habe noch einmal nachgesehen und eine zweite Sperre am Konto gefunden, die ich ebenfalls aufgehoben habe. "
        "Können Sie es bitte noch einmal versuchen und mir Bescheid geben?",
    ),
    complaints=(
        "Ich schreibe jetzt zum dritten Mal und es funktioniert immer noch nicht. Das ist inakzeptabel.",
        "Ich bin wirklich enttäuscht. Seit Tagen antwortet niemand und das Konto geht immer noch nicht.",
        "Geht immer noch nicht. Ich habe damit den ganzen Vormittag verloren.",
    ),
    thanks=("Hat geklappt, vielen Dank!", "Super, jetzt läuft alles. Danke für die schnelle Hilfe.", "Danke schön."),
    questions=(
        "Danke, aber ich habe noch eine Frage: Gilt das auch für die anderen Konten in unserem Tarif?",
        "Okay, und muss ich auf meiner Seite noch etwas tun?",
    ),
    customer_signoff=("Danke und Gruß\n{first}", "Viele Grüße\n{first} {last}", "Beste Grüße\n{first}"),
    quote_header="Am {date} schrieb {name}:",
    signature_role="Kundenservice, Acme",
)

_TEXTS: dict[str, _Lang] = {"en": _EN, "pl": _PL, "ru": _RU, "ca": _CA, "es": _ES, "de": _DE}
_INTERNAL_NOTES = (
    "Checked the logs: two password resets within a minute. Unlocked manually.",
    "Escalated to billing (tier 2), waiting for their confirmation.",
    "Customer has a second account under another email, merged nothing yet.",
    "Courier ticket opened, reference DPD-99812.",
)
_PRIORITIES = (
    Priority.NORMAL,
    Priority.NORMAL,
    Priority.NORMAL,
    Priority.LOW,
    Priority.HIGH,
    Priority.HIGH,
    Priority.URGENT,
)
_GENDERED = re.compile(r"\{([ac]):([^|}]*)\|([^}]*)\}")
_FEMALE_AGENTS = frozenset({"a1", "a4", "a5", "a6"})
_ASCII = str.maketrans("ąćęłńóśźżáéíóúñçàèòïüäöüßàl·", "acelnoszzaeiouncaeoiuaousal.")


def generate_helpdesk(count: int, *, seed: int = 0, start: datetime, source: str = "sample") -> Iterator[Ticket]:
    """Yield ``count`` tickets with ids ``"1"``..``str(count)``, created over a few weeks after ``start``.

    Deterministic per ``seed``; memory does not depend on ``count``. ``start`` must be
    timezone-aware (a naive one is taken as UTC); every time in the tickets is UTC.
    Ticket ``n`` is in language ``LANGUAGES[(n - 1) % 6]``; messages are oldest first
    and end before the ticket's ``updated_at``.
    """
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    start = start.astimezone(UTC)
    for n in range(1, count + 1):
        yield _Writer(random.Random(f"{seed}:{n}"), n, start, source).ticket()


class _Writer:
    """Writes one ticket; all randomness comes from ``rng``."""

    def __init__(self, rng: random.Random, n: int, start: datetime, source: str) -> None:
        self.rng = rng
        self.n = n
        self.source = source
        self.lang = LANGUAGES[(n - 1) % len(LANGUAGES)]
        self.text = _TEXTS[self.lang]
        self.who = rng.choice(self.text.customers)
        domain = rng.choice(self.text.domains)
        local = f"{self.who.first}.{self.who.last}".lower().translate(_ASCII)
        if not local.isascii():
            local = f"client{n}"
        self.customer = Person(f"c{n}", Role.CUSTOMER, f"{self.who.first} {self.who.last}", f"{local}@{domain}")
        self.agent = rng.choice(AGENTS)
        self.created = _customer_time(start + timedelta(days=rng.uniform(0, 21)), rng)
        self.messages: list[Message] = []
        self.changes: list[StatusChange] = [StatusChange(self.created, Status.NEW)]

    # -- the story of the ticket ----------------------------------------------------

    def ticket(self) -> Ticket:
        rng, t = self.rng, self.text
        subject, opening, answer = rng.choice(t.topics)
        self.add(self.created, self.customer, self.fill(f"{opening}\n\n{rng.choice(t.customer_signoff)}"))
        turns = rng.choices((0, 1, 2, 3), weights=(1, 5, 4, 2))[0]
        when = self.created
        complained = False
        for turn in range(turns):
            if len(self.messages) > 4:  # a turn adds at most four messages; keep 8 at most
                break
            when = _agent_time(when + _reply_delay(rng), rng)
            if rng.random() < 0.25:
                note_at = max(when - timedelta(minutes=rng.randint(2, 30)), self.messages[-1].created_at)
                self.add(note_at, self.agent, rng.choice(_INTERNAL_NOTES), public=False)
            body, promise = self.reply(answer if turn == 0 else None, complained)
            self.add(when, self.agent, body)
            if promise:
                when = self.follow_up(when)
            if turn == turns - 1 and rng.random() < 0.5:
                break
            when = _customer_time(when + timedelta(hours=rng.uniform(0.5, 30)), rng)
            complained = rng.random() < 0.35
            pool = t.complaints if complained else (t.thanks if turn == turns - 1 else t.questions)
            reply = self.fill(f"{rng.choice(pool)}\n\n{rng.choice(t.customer_signoff)}")
            if rng.random() < 0.4:
                reply += "\n\n" + self.quoted(self.messages[-1])
            self.add(when, self.customer, reply)
        status = self.changes[-1].status
        if status is Status.PENDING and rng.random() < 0.5:
            status = Status.SOLVED
            self.changes.append(StatusChange(self.messages[-1].created_at + timedelta(minutes=1), status))
        elif status is Status.OPEN and rng.random() < 0.1:
            status = Status.ON_HOLD
            self.changes.append(StatusChange(self.messages[-1].created_at + timedelta(minutes=2), status))
        updated = max(self.messages[-1].created_at, self.changes[-1].at) + timedelta(minutes=rng.randint(1, 30))
        return Ticket(
            id=str(self.n),
            source=self.source,
            subject=subject,
            status=status,
            priority=rng.choice(_PRIORITIES),
            created_at=self.created,
            messages=tuple(self.messages),
            assignee=self.agent,
            requester=self.customer,
            tags=(f"lang_{self.lang}",),
            status_changes=tuple(self.changes),
            channel="email",
            updated_at=updated,
        )

    def fill(self, template: str) -> str:
        """Resolve ``{c:female|male}`` (customer) and ``{a:female|male}`` (agent), then the names."""

        def pick(match: re.Match[str]) -> str:
            female = self.who.female if match.group(1) == "c" else self.agent.id in _FEMALE_AGENTS
            return match.group(2) if female else match.group(3)

        text = _GENDERED.sub(pick, template)
        return text.format(
            call=self.who.call, first=self.who.first, last=self.who.last, agent=self.agent.name.split()[0]
        )

    def reply(self, answer: str | None, complained: bool) -> tuple[str, bool]:
        """An agent reply and whether it promises a follow-up."""
        rng, t = self.rng, self.text
        kind = rng.choices(("polite", "no_greeting", "no_closing", "rude", "promise"), weights=(10, 2, 2, 1.5, 2.5))[0]
        parts: list[str] = []
        if kind != "no_greeting":
            parts.append(rng.choice(t.greetings))
        if complained and rng.random() < 0.6:
            parts.append(rng.choice(t.apologies))
        if kind == "rude":
            parts.append(rng.choice(t.rude))
        parts.append(answer or t.answers[1 if complained else 0])
        if kind == "promise":
            parts.append(rng.choice(t.promises))
        if kind != "no_closing":
            parts.append(rng.choice(t.closings))
        body = self.fill("\n\n".join(parts))
        if rng.random() < 0.3:
            body += f"\n\n-- \n{self.agent.name}\n{t.signature_role}\n+48 22 100 20 {rng.randint(10, 99)}"
        if answer is None and rng.random() < 0.3 and self.messages:
            body += "\n\n" + self.quoted(self.messages[-1])
        return body, kind == "promise"

    def follow_up(self, when: datetime) -> datetime:
        """After a promise: an update soon enough (kept), a late one, or none."""
        rng, t = self.rng, self.text
        if rng.random() < 0.5:
            return when
        kept = rng.random() < 0.6
        later = when + (timedelta(hours=rng.uniform(1, 20)) if kept else timedelta(days=rng.uniform(3, 6)))
        later = _agent_time(later, rng)
        self.add(
            later,
            self.agent,
            self.fill(f"{rng.choice(t.greetings)}\n\n{rng.choice(t.updates)}\n\n{rng.choice(t.closings)}"),
        )
        return later

    def quoted(self, message: Message) -> str:
        stamp = message.created_at.strftime("%d.%m.%Y %H:%M")
        header = self.text.quote_header.format(date=stamp, name=message.author.name)
        return header + "\n" + "\n".join("> " + line if line else ">" for line in message.body.splitlines())

    # -- bookkeeping ----------------------------------------------------------------

    def add(self, when: datetime, author: Person, body: str, public: bool = True) -> None:
        if self.messages and when <= self.messages[-1].created_at:
            when = self.messages[-1].created_at + timedelta(minutes=1)
        self.messages.append(Message(f"{self.n}-{len(self.messages) + 1}", author, public, when, body))
        if not public:
            return
        status = Status.OPEN if author.role is Role.CUSTOMER else Status.PENDING
        if author.role is Role.CUSTOMER and len(self.messages) == 1:
            return
        if self.changes[-1].status is not status:
            self.changes.append(StatusChange(when, status))


def _reply_delay(rng: random.Random) -> timedelta:
    """Mostly fast, sometimes late."""
    if rng.random() < 0.7:
        return timedelta(minutes=rng.randint(8, 180))
    return timedelta(hours=rng.uniform(6, 40))


def _customer_time(when: datetime, rng: random.Random) -> datetime:
    """Customers write mostly in the European day (UTC 06:00-20:00), any day."""
    if when.hour >= 20:
        when = (when + timedelta(days=1)).replace(hour=rng.randint(6, 9), minute=rng.randint(0, 59))
    elif when.hour < 6:
        when = when.replace(hour=rng.randint(6, 9), minute=rng.randint(0, 59))
    return when.replace(second=0, microsecond=0)


def _agent_time(when: datetime, rng: random.Random) -> datetime:
    """Agents answer in European business hours: weekdays, 07:00-16:00 UTC (08:00-17:00 CET)."""
    when = when.replace(second=0, microsecond=0)
    if when.weekday() < 5 and 7 <= when.hour < 16:
        return when
    if when.hour >= 16 or when.weekday() >= 5:
        when = when + timedelta(days=1)
    while when.weekday() >= 5:
        when = when + timedelta(days=1)
    return when.replace(hour=7, minute=rng.randint(0, 59))
